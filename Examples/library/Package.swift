// swift-tools-version: 6.0
// A library user's first program: depends on exe by path and imports only
// its products. `scripts/library-example` builds it and runs it against a
// fresh exe-sim; CI runs that script.
import PackageDescription

let package = Package(
    name: "exe-library-example",
    dependencies: [
        .package(name: "exe", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "library-example",
            dependencies: [
                .product(name: "Exe", package: "exe"),
                .product(name: "ExeControl", package: "exe"),
                .product(name: "ExeSSH", package: "exe"),
                .product(name: "ExeDeploy", package: "exe"),
                .product(name: "ExeLease", package: "exe"),
                .product(name: "ExeSystem", package: "exe"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
