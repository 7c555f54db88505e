internal import COpenSSL
import Foundation

/// Why a trust store could not be made: a CA bundle that is empty, not certificates, or over the cap, or a system
/// store that is not there. Messages name the problem, never the bytes.
public struct TrustStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable machine code.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The bundle holds no certificate.
        case empty
        /// A block of the bundle is not a certificate, or a certificate block does not decode.
        case notCertificate = "not-certificate"
        /// The bundle holds more certificates than ``TrustStore/maxCertificates``.
        case tooManyCertificates = "too-many-certificates"
        /// OpenSSL's default trust store (file and folder) does not exist.
        case noSystemStore = "no-system-store"
    }

    /// The stable machine code.
    public let code: Code
    /// A human message, precise, naming the block at fault by its position.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Where the system's trusted certificates are read from.
public enum SystemTrust: Sendable, Hashable {
    /// OpenSSL's default paths (`X509_STORE_set_default_paths`: `SSL_CERT_FILE`/`SSL_CERT_DIR`, else
    /// `OPENSSLDIR/cert.pem` and `OPENSSLDIR/certs`; on Debian the `ca-certificates` bundle under `/etc/ssl/certs`).
    case openSSLDefaults
    /// A bundle file and/or a hashed folder (`c_rehash` layout) standing in for the system store, as
    /// `openssl verify -CAfile/-CApath` would read them.
    case locations(file: String?, directory: String?)
}

/// The certificates a leaf's path may end in: the certificates of a CA bundle (`--ca-file`) and, optionally, the
/// system's trust store. Made once per run and shared by every verification.
///
/// `@unchecked Sendable`: the `X509_STORE` is not changed after `init` except by OpenSSL's own look-ups in the
/// system folder, which take the store's lock; the bundle certificates are only read.
public final class TrustStore: @unchecked Sendable {
    /// The most certificates read from one CA bundle.
    public static let maxCertificates = 10_000

    private let store: OpaquePointer
    /// The bundle's certificates, in file order.
    let bundle: [X509Certificate]
    /// SHA-256 of each bundle certificate, to tell where a path element came from.
    let bundleDigests: Set<String>
    /// Where system certificates come from, `nil` when the system store is not used.
    public let system: SystemTrust?

    /// The number of certificates in the CA bundle.
    public var bundleCount: Int { bundle.count }

    /// Makes a store from a CA bundle's bytes (PEM blocks `CERTIFICATE`, `TRUSTED CERTIFICATE` or
    /// `X509 CERTIFICATE`, `X509 CRL` blocks skipped, or one DER certificate) and, when `system` is given, the
    /// system store. `caBundle` `nil` means no bundle.
    ///
    /// Throws when the bundle holds no certificate, holds anything else (a key, damaged base64, a block that is
    /// not DER), or more than ``maxCertificates`` (counted while reading); and when the system store's file and
    /// folder are both missing.
    public init(caBundle: [UInt8]?, system: SystemTrust?) throws(TrustStoreError) {
        OpenSSLRuntime.ensureLoaded()
        var certificates: [X509Certificate] = []
        if let caBundle { certificates = try Self.certificates(in: caBundle) }
        guard let store = X509_STORE_new() else {
            throw TrustStoreError(.empty, "OpenSSL cannot make a certificate store")
        }
        self.store = store
        self.bundle = certificates
        self.bundleDigests = Set(certificates.map(\.sha256))
        self.system = system
        OpenSSLErrorQueue.clear()
        for certificate in certificates {
            // A certificate given twice is not an error (X509_STORE_add_cert ignores duplicates in 3.0).
            _ = certificate.withUnsafePointer { X509_STORE_add_cert(store, $0) }
        }
        switch system {
        case nil:
            break
        case .openSSLDefaults:
            let (file, directory) = Self.defaultLocations
            guard Self.exists(file) || Self.exists(directory) else {
                throw TrustStoreError(
                    .noSystemStore,
                    "the system trust store is missing: neither \(file) nor \(directory) exists (on Debian: install "
                        + "ca-certificates)")
            }
            _ = X509_STORE_set_default_paths(store)
        case .locations(let file, let directory):
            guard file.map(Self.exists) ?? false || directory.map(Self.exists) ?? false else {
                let named = [file, directory].compactMap { $0 }.joined(separator: " and ")
                throw TrustStoreError(.noSystemStore, "the trust store is missing: \(named) does not exist")
            }
            if let file, Self.exists(file) { _ = X509_STORE_load_file(store, file) }
            if let directory, Self.exists(directory) { _ = X509_STORE_load_path(store, directory) }
        }
        OpenSSLErrorQueue.clear()
    }

    deinit { X509_STORE_free(store) }

    func withUnsafePointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(store) }
    }

    /// Whether any certificate can be trusted: a bundle or a system store.
    var hasAnchors: Bool { !bundle.isEmpty || system != nil }

    /// OpenSSL's default bundle file and folder, after the `SSL_CERT_FILE` and `SSL_CERT_DIR` overrides.
    public static var defaultLocations: (file: String, directory: String) {
        func value(_ environment: UnsafePointer<CChar>?, _ fallback: UnsafePointer<CChar>?) -> String {
            if let environment, let set = getenv(environment) { return String(cString: set) }
            return fallback.map { String(cString: $0) } ?? ""
        }
        return (
            value(X509_get_default_cert_file_env(), X509_get_default_cert_file()),
            value(X509_get_default_cert_dir_env(), X509_get_default_cert_dir())
        )
    }

    private static func exists(_ path: String) -> Bool {
        !path.isEmpty && FileManager.default.fileExists(atPath: path)
    }

    /// The certificates of a bundle, each block checked: a block that is not a certificate is an error, not noise.
    static func certificates(in bytes: [UInt8]) throws(TrustStoreError) -> [X509Certificate] {
        if let certificate = X509Certificate(der: bytes) { return [certificate] }
        OpenSSLErrorQueue.clear()
        var certificates: [X509Certificate] = []
        var failure: TrustStoreError?
        bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else { return }
            defer { BIO_free(bio) }
            var block = 0
            while true {
                var name: UnsafeMutablePointer<CChar>?
                var header: UnsafeMutablePointer<CChar>?
                var data: UnsafeMutablePointer<UInt8>?
                var length = 0
                guard PEM_read_bio(bio, &name, &header, &data, &length) == 1 else {
                    // The end of the text reads as "no start line"; anything else is a damaged block.
                    let last = ERR_peek_last_error()
                    if last != 0, ERR_GET_REASON(last) != PEM_R_NO_START_LINE {
                        failure = TrustStoreError(
                            .notCertificate, "block \(block + 1) is damaged PEM (it cannot be decoded)")
                    }
                    break
                }
                defer {
                    cd_openssl_free(name)
                    cd_openssl_free(header)
                    if let data { CRYPTO_clear_free(data, length, nil, 0) }
                }
                block += 1
                let label = name.map { String(cString: $0) } ?? ""
                if label == "X509 CRL" { continue }
                guard ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"].contains(label) else {
                    failure = TrustStoreError(
                        .notCertificate, "block \(block) is \"\(label.prefix(40))\", not a certificate")
                    break
                }
                guard certificates.count < maxCertificates else {
                    failure = TrustStoreError(
                        .tooManyCertificates, "it holds more than \(maxCertificates) certificates, the limit")
                    break
                }
                let der = data.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                // A TRUSTED CERTIFICATE block is the certificate followed by OpenSSL's trust settings.
                let parsed =
                    label == "TRUSTED CERTIFICATE"
                    ? der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
                        var cursor = buffer.baseAddress
                        return d2i_X509_AUX(nil, &cursor, buffer.count)
                    }.map { X509Certificate(taking: $0) }
                    : X509Certificate(der: der)
                guard let parsed else {
                    failure = TrustStoreError(.notCertificate, "block \(block) does not decode as a certificate")
                    break
                }
                certificates.append(parsed)
            }
        }
        OpenSSLErrorQueue.clear()
        if let failure { throw failure }
        guard !certificates.isEmpty else {
            throw TrustStoreError(.empty, "it holds no certificate (neither PEM CERTIFICATE blocks nor DER)")
        }
        return certificates
    }
}
