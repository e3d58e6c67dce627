// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Linux only: ExeSSH's connection loop uses eventfd and poll(POLLRDHUP),
// ExeSystem reads /proc, and exe-sim uses unshare(2) mount namespaces.
// `ExeSystem/Platform.swift` stops a build anywhere else with a clear error.
let package = Package(
    name: "exe",
    products: [
        // Every layer a library user imports, with what its public API names.
        .library(name: "ExeSystem", targets: ["ExeSystem"]),
        .library(name: "ExeSSH", targets: ["ExeSSH"]),
        .library(name: "ExeControl", targets: ["ExeControl"]),
        .library(name: "ExeDeploy", targets: ["ExeDeploy"]),
        .library(name: "ExeLease", targets: ["ExeLease"]),
        // One entry point over them: ExeSession (control client, VM hosts, deployers, leases).
        .library(name: "Exe", targets: ["Exe"]),
        // Test doubles for code built on the libraries: a scripted control
        // transport and an in-memory remote host.
        .library(name: "ExeTesting", targets: ["ExeTesting"]),
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
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibSSL",
            pkgConfig: "libssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CExeSystem"),
        .target(name: "CExeSim"),
        .target(
            name: "ExeSystem",
            dependencies: ["CLibCrypto", "CLibSSL", "CExeSystem", "CZlib"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeYAML",
            dependencies: [.product(name: "Yams", package: "Yams")],
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
        .target(
            name: "ExeLease",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem", "ExeYAML"],
            // Remote shell scripts, embedded in the code (no bundle to find
            // next to a copied exe-cli); values reach them as arguments.
            resources: [
                .embedInCode("Scripts/sync.sh"), .embedInCode("Scripts/run.sh"), .embedInCode("Scripts/interrupt.sh"),
                .embedInCode("Scripts/artifacts.sh"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeDeploy",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem", "ExeYAML"],
            // Remote shell scripts, embedded in the code; values reach them as arguments.
            resources: [.embedInCode("Scripts/vm-lock.sh"), .embedInCode("Scripts/registry-lock.sh")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exe-cli",
            dependencies: [
                "ExeControl",
                "ExeDeploy",
                "ExeLease",
                "ExeSSH",
                "ExeSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Remote shell scripts, embedded in the binary; values reach them as arguments.
            resources: [.embedInCode("Scripts/process-group.sh"), .embedInCode("Scripts/interrupt.sh")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ssh-benchmark",
            dependencies: ["ExeSSH", "ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/SSHBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "control-benchmark",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/ControlBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "holder-benchmark",
            dependencies: ["ExeLease", "ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/HolderBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sync-benchmark",
            dependencies: ["ExeLease", "ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/SyncBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "shard-benchmark",
            dependencies: ["ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/ShardBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "deploy-benchmark",
            dependencies: ["ExeSystem", "ExeTestSupport"],
            path: "Benchmarks/DeployBenchmark",
            swiftSettings: strictSettings
        ),
        .target(
            name: "Exe",
            dependencies: ["ExeControl", "ExeDeploy", "ExeLease", "ExeSSH", "ExeSystem"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeTesting",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem"],
            swiftSettings: strictSettings
        ),
        // The simulator's code: used only by the exe-sim executable and the
        // tests, so it is no library product.
        .target(
            name: "ExeSim",
            dependencies: [
                "ExeSystem", "CExeSim", "ExeYAML",
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
            name: "ExeFuzzTargets",
            dependencies: ["ExeControl", "ExeDeploy", "ExeLease", "ExeSSH", "ExeSim", "ExeSystem", "ExeYAML"],
            path: "Fuzz/Targets",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exe-fuzz",
            dependencies: ["ExeFuzzTargets"],
            path: "Fuzz/Entry",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExeTestSupport",
            dependencies: ["ExeSystem", "ExeSSH"],
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
            name: "ExeLeaseTests",
            dependencies: ["ExeLease", "ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport", "ExeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "exe-cliTests",
            dependencies: [
                "exe-cli", "ExeControl", "ExeDeploy", "ExeLease", "ExeSSH", "ExeSystem", "ExeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeControlTests",
            dependencies: ["ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport", "ExeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeDeployTests",
            dependencies: ["ExeDeploy", "ExeControl", "ExeSSH", "ExeSystem", "ExeTestSupport", "ExeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HostileInputTests",
            dependencies: [
                "ExeFuzzTargets", "ExeControl", "ExeDeploy", "ExeLease", "ExeSSH", "ExeSim", "ExeSystem", "ExeYAML", "ExeTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExeSimTests",
            dependencies: [
                "exe-sim", "ExeSim", "ExeSystem", "ExeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
