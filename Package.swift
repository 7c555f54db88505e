// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CertDrop",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PKCS12Kit", targets: ["PKCS12Kit"]),
    ],
    targets: [
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
