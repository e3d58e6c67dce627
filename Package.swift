// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "exe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ExeSSH", targets: ["ExeSSH"]),
        .library(name: "ExeControl", targets: ["ExeControl"]),
        .executable(name: "exe-cli", targets: ["exe-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"]), .brew(["libssh2"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "CExeSystem"),
        .target(
            name: "ExeSystem",
            dependencies: ["CLibCrypto", "CExeSystem"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeSSH",
            dependencies: ["CLibSSH2", "ExeSystem"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeControl",
            dependencies: ["ExeSSH", "ExeSystem"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exe-cli",
            dependencies: [
                "ExeControl",
                "ExeSSH",
                "ExeSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeTestSupport",
            dependencies: ["ExeSystem"],
            path: "Tests/ExeTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeSystemTests",
            dependencies: ["ExeSystem", "ExeTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeSSHTests",
            dependencies: ["ExeSSH", "ExeSystem", "ExeTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "exe-cliTests",
            dependencies: [
                "exe-cli", "ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeControlTests",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
