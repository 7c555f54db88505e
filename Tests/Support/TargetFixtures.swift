import Foundation

/// Certificates and PFX files for the target and lint tests, made with the `openssl` command in a fresh folder.
/// Passwords reach `openssl` through its environment (`env:`), never its arguments.
public struct TargetFixtures {
    public let folder: URL

    public init(_ label: String = "targets") { folder = Fixtures.temporaryFolder(label) }

    /// A self-signed leaf (not a CA) with `key` (`rsa:2048`, `rsa:1024`, `ec:prime256v1`, `ed25519`) and the
    /// extension lines given (`subjectAltName = DNS:a.test`, `extendedKeyUsage = clientAuth`, …).
    public func certificate(_ name: String, key: String = "rsa:2048", days: Int = 90, extensions: [String] = [])
        throws -> (cert: String, key: String)
    {
        let config = folder.appendingPathComponent("\(name).cnf")
        let lines =
            [
                "[req]", "distinguished_name = dn", "prompt = no", "[dn]", "CN = \(name).test", "[ext]",
                "basicConstraints = critical, CA:FALSE",
            ] + extensions
        try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
        let certPath = folder.appendingPathComponent("\(name).crt").path
        let keyPath = folder.appendingPathComponent("\(name).key").path
        var arguments = [
            "/usr/bin/env", "openssl", "req", "-x509", "-config", config.path, "-extensions", "ext",
            "-nodes", "-keyout", keyPath, "-out", certPath, "-days", String(days),
        ]
        if key.hasPrefix("ec:") {
            arguments += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:" + key.dropFirst(3)]
        } else {
            arguments += ["-newkey", key]
        }
        let result = Fixtures.output(arguments)
        guard result.status == 0 else { throw Failure(String(decoding: result.stderr, as: UTF8.self)) }
        return (certPath, keyPath)
    }

    /// `openssl pkcs12 -export` of a pair under `password`, with extra options (`-legacy`, `-keypbe …`).
    public func pfx(_ name: String, _ pair: (cert: String, key: String), password: String, options: [String] = [])
        throws -> String
    {
        let path = folder.appendingPathComponent("\(name).pfx").path
        let arguments =
            [
                "/usr/bin/env", "openssl", "pkcs12", "-export", "-in", pair.cert, "-inkey", pair.key,
                "-out", path, "-passout", "env:CERTDROP_TEST_PFX_PASSWORD",
            ] + options
        var environment = ProcessInfo.processInfo.environment
        environment["CERTDROP_TEST_PFX_PASSWORD"] = password
        let result = Fixtures.output(arguments, environment: environment)
        guard result.status == 0 else { throw Failure(String(decoding: result.stderr, as: UTF8.self)) }
        return path
    }

    /// Options for a file every target reads: 3DES everywhere, SHA-1 MAC.
    public static let tripleDES = ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
