internal import COpenSSL
import Foundation

/// A lone certificate (DER or PEM, without its key), read for its facts.
public enum CertificateFile {
    /// The facts of the first certificate in `bytes` (DER, or PEM with one or more certificates), or `nil`.
    public static func facts(of bytes: [UInt8]) -> CertificateFacts? {
        OpenSSLRuntime.ensureLoaded()
        if let certificate = X509Certificate(der: bytes) {
            return PKCS12Bundle.facts(of: certificate)
        }
        // The memory BIO borrows the bytes: it must not outlive this closure.
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let parsed else { return nil }
        return PKCS12Bundle.facts(of: X509Certificate(taking: parsed))
    }
}
