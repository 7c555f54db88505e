internal import COpenSSL

/// An owned OpenSSL `EVP_PKEY`, freed on release.
///
/// `@unchecked Sendable`: the key is never mutated after it is made; OpenSSL's read-only key functions are
/// thread-safe.
final class PrivateKey: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    func withUnsafePointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// Whether `certificate` carries this key's public half.
    func matches(_ certificate: X509Certificate) -> Bool {
        certificate.withPublicKey { publicKey in
            guard let publicKey else { return false }
            return EVP_PKEY_eq(pointer, publicKey) == 1
        }
    }

    var description: KeyDescription { KeyDescription(key: pointer) }
}
