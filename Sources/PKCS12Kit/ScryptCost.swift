internal import COpenSSL
internal import SwiftASN1

/// The cost of an scrypt key derivation (RFC 7914), which OpenSSL's `-scrypt` PKCS#8 keys use, read without
/// deriving anything.
///
/// ```
/// PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
/// scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter INTEGER (1..MAX), blockSize INTEGER (1..MAX),
///                              parallelizationParameter INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL }
/// ```
///
/// scrypt does `2 · N · r · p` BlockMix rounds; the cap compares `N · r · p` with the iteration cap, which
/// OpenSSL's default `-scrypt` parameters (N 16384, r 8, p 1: 131,072) stay well under. OpenSSL's own memory limit
/// (32 MiB) bounds `N · r` but not `p`, so without this a key could ask for hours.
enum ScryptCost {
    /// `N · r · p` of an scrypt PBES2 algorithm identifier, or `nil` when it is not one or cannot be read.
    static func cost(of algorithm: UnsafePointer<X509_ALGOR>) -> Int? {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_ALGOR(algorithm, &out)
        guard length > 0, let out else { return nil }
        let der = Array(UnsafeBufferPointer(start: out, count: Int(length)))
        cd_openssl_free(out)
        return try? cost(ofAlgorithmIdentifier: der)
    }

    static func cost(ofAlgorithmIdentifier der: [UInt8]) throws -> Int? {
        let root = try DER.parse(der)
        guard case .constructed(let identifier) = root.content,
            let parameters = Array(identifier).dropFirst().first,
            case .constructed(let pbes2) = parameters.content,
            let kdf = Array(pbes2).first,
            case .constructed(let kdfFields) = kdf.content
        else { return nil }
        let fields = Array(kdfFields)
        guard fields.count == 2, case .constructed(let scrypt) = fields[1].content else { return nil }
        let values = Array(scrypt)
        guard values.count >= 4 else { return nil }
        var product = 1
        for node in values[1...3] {
            let value = try Int(derEncoded: node)
            guard value >= 1 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: value)
            product = overflow ? Int.max : next
        }
        return product
    }
}
