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
        .library(name: "ExeSim", targets: ["ExeSim"]),
        .executable(name: "exe-cli", targets: ["exe-cli"]),
        .executable(name: "exe-sim", targets: ["exe-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
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
        .target(name: "CExeSim"),
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
        .executableTarget(
            name: "exe-cli",
            dependencies: [
                "ExeSSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeSim",
            dependencies: [
                "ExeSystem", "CExeSim",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exe-sim",
            dependencies: [
                "ExeSim", "ExeSystem",
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
            name: "ExeSimTests",
            dependencies: ["ExeSim", "ExeSystem", "ExeTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
