// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CertDrop",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PKCS12Kit", targets: ["PKCS12Kit"]),
        .library(name: "ArchiveKit", targets: ["ArchiveKit"]),
        .library(name: "CertificateAPI", targets: ["CertificateAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .target(name: "ArchiveKit", dependencies: ["CArchive"]),
        .target(name: "CertificateAPI", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ArchiveKitTests", dependencies: ["ArchiveKit"]),
        .testTarget(name: "CertificateAPITests", dependencies: ["CertificateAPI"]),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "PKCS12Kit", dependencies: ["COpenSSL"]),
        .target(name: "CertDropTestSupport", path: "Tests/Support"),
        .testTarget(name: "PKCS12KitTests", dependencies: ["PKCS12Kit", "CertDropTestSupport"]),
    ]
)
