// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CertDrop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "certdrop", targets: ["certdrop"]),
        .library(name: "PKCS12Kit", targets: ["PKCS12Kit"]),
        .library(name: "ArchiveKit", targets: ["ArchiveKit"]),
        .library(name: "CertificateAPI", targets: ["CertificateAPI"]),
        .library(name: "DropPipeline", targets: ["DropPipeline"]),
        .library(name: "CertificateClient", targets: ["CertificateClient"]),
        .library(name: "Migration", targets: ["Migration"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // The fast key derivations: C of its own, compiled once, warnings as errors (see README, "Where the C is").
        .target(
            name: "CFastKDF", dependencies: ["COpenSSL"],
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wpedantic", "-Werror"])]),
        .target(
            name: "PKCS12Kit",
            dependencies: ["COpenSSL", "CFastKDF", .product(name: "SwiftASN1", package: "swift-asn1")]),
        .target(name: "ArchiveKit", dependencies: ["CArchive"]),
        .target(name: "CertificateAPI", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The HTTP client of the contract: the only target that uses AsyncHTTPClient and NIOSSL.
        .target(
            name: "CertificateClient",
            dependencies: [
                "CertificateAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "DropPipeline",
            dependencies: [
                "PKCS12Kit", "ArchiveKit", "CertificateAPI", "CertificateClient",
                // Only Runs/ServiceConnection.swift imports it, to start the embedded service (EmbeddedService).
                "CertificateService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "Migration", dependencies: ["DropPipeline", "CertificateClient", "CertificateAPI"]),
        .target(
            name: "CertificateService",
            dependencies: [
                "CertificateAPI", "PKCS12Kit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "certdrop",
            dependencies: [
                "DropPipeline", "CertificateClient", "Migration", "PKCS12Kit", "ArchiveKit", "CertificateAPI",
                "CertificateService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "CertDropTestSupport", dependencies: ["COpenSSL"], path: "Tests/Support"),
        .testTarget(
            name: "PKCS12KitTests",
            dependencies: [
                "PKCS12Kit", "CFastKDF", "CertDropTestSupport", .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .testTarget(name: "ArchiveKitTests", dependencies: ["ArchiveKit"]),
        .testTarget(name: "CertificateAPITests", dependencies: ["CertificateAPI"]),
        .testTarget(
            name: "CertificateClientTests",
            dependencies: ["CertificateClient", "CertificateAPI", "CertDropTestSupport"]),
        .testTarget(
            name: "DropPipelineTests",
            dependencies: ["DropPipeline", "CertificateClient", "PKCS12Kit", "ArchiveKit", "CertDropTestSupport"]),
        .testTarget(
            name: "CertificateServiceTests",
            dependencies: [
                "CertificateService", "CertDropTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "ImportTests",
            dependencies: [
                "DropPipeline", "CertificateClient", "CertificateService", "CertificateAPI", "PKCS12Kit",
                "CertDropTestSupport",
            ]
        ),
        .testTarget(
            name: "MigrationTests",
            dependencies: [
                "Migration", "DropPipeline", "CertificateClient", "CertificateService", "CertificateAPI", "PKCS12Kit",
                "CertDropTestSupport",
            ]
        ),
        .testTarget(name: "certdropTests", dependencies: ["certdrop", "CertDropTestSupport"]),
    ]
)
