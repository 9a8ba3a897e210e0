// swift-tools-version:6.0
import PackageDescription

// One settings array for every target (STYLE.md §11.6): Swift 6 language mode everywhere, `any` spelled
// out, imports visible only where declared, and internal imports unless a module re-exports a type.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Pier",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pier", targets: ["pier"]),
    ],
    targets: [
        // C libraries from Debian, one system library target each (module.modulemap + shim.h).
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Structured logging front end (Logger, LogHandler); Foundation only, usable by every layer.
        .target(name: "PierLogging", swiftSettings: swiftSettings),
        // The domain: types and rules, Foundation only, no I/O (checked by an architecture test).
        .target(name: "PierCore", swiftSettings: swiftSettings),
        // Storage protocols, migrations runner, storage errors.
        .target(name: "PierStorage", dependencies: ["PierCore", "PierLogging"], swiftSettings: swiftSettings),
        .target(name: "PierSQLite", dependencies: ["PierStorage", "PierCore", "PierLogging", "CSQLite"], swiftSettings: swiftSettings),
        .target(
            name: "PierPostgres", dependencies: ["PierStorage", "PierCore", "PierLogging", "CLibPQ"],
            swiftSettings: swiftSettings
        ),
        .target(name: "PierCrypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        // HTTP server (libmicrohttpd) and client (libcurl); generic, knows nothing of Pier's domain.
        .target(name: "PierHTTP", dependencies: ["CMicroHTTPD", "CCurl", "PierLogging"], swiftSettings: swiftSettings),
        // Okta Management API client and OpenID Connect relying party.
        .target(
            name: "PierOkta", dependencies: ["PierCore", "PierHTTP", "PierCrypto", "PierLogging"],
            swiftSettings: swiftSettings
        ),
        // A faithful Okta org on PierHTTP, with its own JSON encoding (never PierOkta's types).
        .target(
            name: "OktaSimulator", dependencies: ["PierHTTP", "PierCrypto", "PierLogging"],
            swiftSettings: swiftSettings
        ),
        // The sync engine and scheduler; sees Okta only through PierCore's DirectorySource.
        .target(name: "PierSync", dependencies: ["PierCore", "PierStorage", "PierLogging"], swiftSettings: swiftSettings),
        // Composition root: configuration, services, routes.
        .target(
            name: "PierServer",
            dependencies: [
                "PierCore", "PierStorage", "PierSQLite", "PierPostgres", "PierCrypto", "PierHTTP", "PierOkta", "PierSync",
                "OktaSimulator", "PierLogging",
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "PierCLI", dependencies: ["PierServer", "PierCore", "PierStorage", "PierHTTP", "OktaSimulator", "PierLogging"], swiftSettings: swiftSettings),
        .executableTarget(name: "pier", dependencies: ["PierCLI"], swiftSettings: swiftSettings),

        .target(
            name: "PierTestSupport",
            dependencies: ["PierCore", "PierStorage", "PierSQLite", "PierPostgres", "PierLogging", "PierHTTP"],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "PierLoggingTests", dependencies: ["PierLogging"], swiftSettings: swiftSettings),
        .testTarget(name: "PierCoreTests", dependencies: ["PierCore", "PierTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PierHTTPTests", dependencies: ["PierHTTP", "PierLogging", "PierTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PierCryptoTests", dependencies: ["PierCrypto", "PierTestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PierStorageTests",
            dependencies: ["PierStorage", "PierSQLite", "PierPostgres", "PierCore", "PierTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PierServerTests",
            dependencies: [
                "PierServer", "PierHTTP", "PierCore", "PierStorage", "PierSQLite", "PierCrypto", "PierLogging", "OktaSimulator",
                "PierTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PierOktaTests",
            dependencies: ["PierOkta", "PierCore", "PierHTTP", "PierCrypto", "PierLogging", "OktaSimulator", "PierTestSupport"],
            exclude: ["Fixtures"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OktaSimulatorTests",
            dependencies: ["OktaSimulator", "PierHTTP", "PierCrypto", "PierLogging", "PierTestSupport"],
            exclude: ["SDK"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PierSyncTests",
            dependencies: [
                "PierSync", "PierCore", "PierStorage", "PierSQLite", "PierOkta", "OktaSimulator", "PierHTTP", "PierLogging",
                "PierTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PierCLITests",
            dependencies: ["PierCLI", "PierServer", "PierStorage", "PierSQLite", "PierHTTP", "PierLogging", "OktaSimulator", "PierTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
