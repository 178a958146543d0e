// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Classbook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "classbook", targets: ["classbook"]),
        .executable(name: "classbook-fuzz", targets: ["ClassbookFuzz"]),
        .executable(name: "classbook-load", targets: ["ClassbookLoad"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2")
    ],
    targets: [
        // OpenSSL's libcrypto (system) for SHA-256, random bytes and certificates; libsodium
        // (system) for scrypt, about half again as fast as OpenSSL's on x86-64 (docs/benchmarks.md).
        .target(
            name: "CClassbookCrypto",
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("sodium")]
        ),
        // The system SQLite's C API for what GRDB does not reach: the wal-index header, the
        // database's version across processes (ClassbookStore's `DatabaseVersion`).
        .target(name: "CClassbookSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Pango on cairo's PDF surface (system libraries) for printed documents.
        // `classbook-pangocairo` is pangocairo's pkg-config without glib's -pthread (commands/setup).
        .systemLibrary(name: "CPangoCairo", pkgConfig: "classbook-pangocairo", providers: [.apt(["libpango1.0-dev"])]),
        .target(
            name: "ClassbookPrint", dependencies: ["CPangoCairo", "ClassbookDomain", "ClassbookText"],
            swiftSettings: strict),
        .target(name: "IRC", swiftSettings: strict),
        .target(
            name: "ClassbookDomain",
            dependencies: ["CClassbookCrypto"],
            swiftSettings: strict
        ),
        .target(
            name: "ClassbookStore",
            dependencies: [
                "ClassbookDomain",
                "CClassbookCrypto",
                "CClassbookSQLite",
                .product(name: "GRDB", package: "GRDB.swift")
            ],
            swiftSettings: strict
        ),
        // The store on a PostgreSQL server (postgres-nio): what several nodes share.
        .target(
            name: "ClassbookPostgres",
            dependencies: [
                "ClassbookDomain", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl")
            ],
            swiftSettings: strict
        ),
        // Every word said to people, one catalog a language, compiled into the binary.
        .target(
            name: "ClassbookText",
            dependencies: ["ClassbookDomain"],
            resources: [.embedInCode("Catalogs/ru.catalog"), .embedInCode("Catalogs/en.catalog")],
            swiftSettings: strict
        ),
        .target(
            name: "ClassbookBot",
            dependencies: ["ClassbookDomain", "ClassbookPrint", "ClassbookText"],
            swiftSettings: strict
        ),
        .target(
            name: "ClassbookServer",
            dependencies: [
                "IRC",
                "ClassbookDomain",
                "ClassbookBot",
                "ClassbookText",
                "CClassbookCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "DequeModule", package: "swift-collections")
            ],
            // The web client's files, compiled into the binary as byte arrays (`PackageResources`):
            // served as written, nothing read from disk at run time, no build step of our own.
            resources: ["index.html", "app.js", "irc.js", "i18n.js", "style.css", "icon.svg"].map {
                .embedInCode("Web/" + $0)
            },
            swiftSettings: strict
        ),
        .executableTarget(
            name: "classbook",
            dependencies: [
                "ClassbookServer",
                "ClassbookBot",
                "ClassbookText",
                "ClassbookPrint",
                "ClassbookStore",
                "ClassbookPostgres",
                "ClassbookDomain",
                "CClassbookCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict
        ),
        // libFuzzer target for the IRC parser and the bot's parsers (commands/fuzz); without
        // -DFUZZING it replays a corpus.
        .executableTarget(name: "ClassbookFuzz", dependencies: ["IRC", "ClassbookBot"], swiftSettings: strict),
        // The load generator of commands/bench.
        .executableTarget(
            name: "ClassbookLoad",
            dependencies: [
                "ClassbookDomain", "ClassbookStore", "ClassbookPostgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Histogram", package: "hdrhistogram-swift")
            ],
            swiftSettings: strict
        ),
        // What the test targets share: starting programs without Foundation's Process.
        .target(
            name: "ClassbookTestSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Tests/ClassbookTestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "IRCTests", dependencies: ["IRC"], swiftSettings: strict),
        .testTarget(
            name: "ClassbookDomainTests",
            dependencies: [
                "ClassbookDomain", "ClassbookStore", "ClassbookBot", "ClassbookPrint", "ClassbookText", "IRC",
                "ClassbookTestSupport", "ClassbookPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio")
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClassbookEndToEndTests",
            dependencies: [
                "IRC",
                "ClassbookTestSupport",
                "ClassbookServer",
                "ClassbookStore",
                "ClassbookDomain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client")
            ],
            exclude: [
                "Support/sms_gateway.py", "Support/stalled_smtp.py", "Support/ws_client.py", "Support/browser_test.py"
            ],
            swiftSettings: strict
        )
    ],
    swiftLanguageModes: [.v6]
)
