// swift-tools-version: 6.1
// contact-sync: keeps a flow platform's contacts in sync with Kafka events.
//
// Modules, imports pointing one way:
//   CRdKafka (module map over Debian's librdkafka-dev)
//     → Kafka (the only code that touches CRdKafka)
//   JSON (the one JSON reader and writer; no dependencies) → SyncCore, PlatformSandbox, …
//   JSON → SchemaRegistry (Confluent framing, registry lookups over HTTP, Avro binary → the JSON tree;
//     RecordDecoding is the decoders' entry point: the worker decodes framed records through it)
//   SyncCore (pure: events, mapping, decisions; no I/O)
//     → PlatformClient (API v2 over HTTP)   PlatformSandbox (a faithful stand-in server; also the
//       schema registry stand-in for tests)
//   CSQLite (module map over Debian's libsqlite3-dev) → StateStore (the version guard on disk)
//       → SyncWorker (wires Kafka, core, client and store)
//         → ContactSyncCLI (commands, configuration, observability) → contact-sync
//   ContactSyncTesting (the one test kit) → tests, contact-sync-chaos, contact-sync-bench
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "contact-sync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "contact-sync", targets: ["contact-sync"]),
        .executable(name: "contact-sync-bench", targets: ["contact-sync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "StateStore",
            dependencies: [
                "CSQLite",
                "SyncCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "JSON", swiftSettings: strict),
        .target(
            name: "SyncCore",
            dependencies: [
                "JSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/iso_639-3.json")],
            swiftSettings: strict
        ),
        .target(
            name: "PlatformClient",
            dependencies: [
                "JSON",
                "SyncCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SchemaRegistry",
            dependencies: [
                "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PlatformSandbox",
            dependencies: [
                "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SyncWorker",
            dependencies: [
                "Kafka",
                "SchemaRegistry",
                "StateStore",
                "SyncCore",
                "PlatformClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ContactSyncTesting",
            dependencies: [
                "Kafka", "SyncCore", "PlatformClient", "PlatformSandbox", "SyncWorker",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ContactSyncCLI",
            dependencies: [
                "JSON",
                "Kafka",
                "SyncCore",
                "PlatformClient",
                "PlatformSandbox",
                "SchemaRegistry",
                "SyncWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "contact-sync-bench",
            dependencies: [
                "CRdKafka", "Kafka", "SyncCore", "SyncWorker", "PlatformClient", "PlatformSandbox",
                "ContactSyncTesting", "StateStore", "SchemaRegistry",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ContactSyncBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "contact-sync-chaos",
            dependencies: [
                "Kafka", "PlatformClient", "PlatformSandbox", "SyncCore", "ContactSyncTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ContactSyncChaos",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "contact-sync",
            dependencies: ["ContactSyncCLI"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StateStoreTests",
            dependencies: [
                "CSQLite", "StateStore", "SyncCore", "ContactSyncTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "ContactSyncTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: [
                "JSON",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SchemaRegistryTests",
            dependencies: [
                "JSON", "SchemaRegistry", "PlatformSandbox", "SyncCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            // Read through #filePath: the fastavro cases and the script that writes them.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SyncCoreTests",
            dependencies: [
                "SyncCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PlatformTests",
            dependencies: [
                "JSON", "PlatformClient", "PlatformSandbox", "SyncCore", "ContactSyncTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SyncWorkerTests",
            dependencies: [
                "SyncWorker", "Kafka", "SyncCore", "PlatformClient", "PlatformSandbox", "ContactSyncTesting",
                "SchemaRegistry",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            // Read through #filePath: fastavro's framed Debezium records and the script that writes them.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ContactSyncCLITests",
            dependencies: [
                "ContactSyncCLI", "SyncWorker", "Kafka", "SyncCore", "PlatformClient", "PlatformSandbox",
                "ContactSyncTesting", "SchemaRegistry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
