internal import COpenSSL
import Foundation

/// One way of presenting a password's bytes to OpenSSL. `nil` bytes stand for OpenSSL's NULL password, which
/// differs from the empty string in the PKCS#12 key derivation.
struct PasswordVariant {
    let bytes: SecretBytes?

    /// Calls `body` with a C pointer and length as OpenSSL's PKCS#12 functions take them.
    func withCString<R, E: Error>(_ body: (UnsafePointer<CChar>?, Int32) throws(E) -> R) throws(E) -> R {
        guard let bytes else { return try body(nil, 0) }
        // OpenSSL reads `len` bytes; a terminating NUL is added for functions that ignore the length.
        var copy = bytes.withBytes { raw in
            [CChar](unsafeUninitializedCapacity: raw.count + 1) { buffer, count in
                for index in 0..<raw.count { buffer[index] = CChar(bitPattern: raw[index]) }
                buffer[raw.count] = 0
                count = raw.count + 1
            }
        }
        defer { copy.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let length = Int32(copy.count - 1)
        return try copy.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(buffer.baseAddress, length) }
    }

    /// The ways to present `secret`, most likely first.
    ///
    /// The empty password is tried as NULL and as "". A non-ASCII password is tried as UTF-8 NFC, then NFD, then
    /// Latin-1: the PKCS#12 KDF (MAC, PBES1) turns UTF-8 into BMPString, but PBKDF2 (PBES2) takes raw bytes, so
    /// a file made on a Latin-1 or NFD system can pass the MAC and still fail to decrypt with NFC bytes.
    static func variants(of secret: SecretBytes) -> [PasswordVariant] {
        if secret.isEmpty {
            return [PasswordVariant(bytes: nil), PasswordVariant(bytes: secret)]
        }
        let text: String? = secret.withBytes { String(validating: $0, as: UTF8.self) }
        guard let text, !text.unicodeScalars.allSatisfy(\.isASCII) else {
            return [PasswordVariant(bytes: secret)]
        }
        var forms: [[UInt8]] = [
            Array(text.precomposedStringWithCanonicalMapping.utf8),
            Array(text.decomposedStringWithCanonicalMapping.utf8),
        ]
        let nfc = text.precomposedStringWithCanonicalMapping
        if nfc.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
            forms.append(nfc.unicodeScalars.map { UInt8($0.value) })
        }
        forms.append(secret.withBytes { Array($0) })
        var seen: [[UInt8]] = []
        for var form in forms {
            if !seen.contains(form) { seen.append(form) }
            SecretBytes.wipe(&form)
        }
        defer { for index in seen.indices { SecretBytes.wipe(&seen[index]) } }
        return seen.map { PasswordVariant(bytes: SecretBytes($0)) }
    }
}
