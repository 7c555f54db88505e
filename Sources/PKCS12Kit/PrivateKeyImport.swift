internal import COpenSSL
internal import SwiftASN1
import Synchronization

/// Makes an OpenSSL key from a PKCS#8 `PrivateKeyInfo` without OpenSSL 3.0's decoder: the fields are read with
/// swift-asn1 and handed to the key manager with `EVP_PKEY_fromdata`.
///
/// ```
/// PrivateKeyInfo ::= SEQUENCE { version INTEGER (0), privateKeyAlgorithm AlgorithmIdentifier,
///                               privateKey OCTET STRING, attributes [0] IMPLICIT Attributes OPTIONAL }
/// RSAPrivateKey ::= SEQUENCE { version INTEGER (0), modulus, publicExponent, privateExponent, prime1, prime2,
///                              exponent1, exponent2, coefficient INTEGER }          -- RFC 8017, two primes
/// ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING,
///                             parameters [0] EXPLICIT ECParameters OPTIONAL,
///                             publicKey [1] EXPLICIT BIT STRING OPTIONAL }        -- RFC 5915
/// ```
///
/// OpenSSL 3.0 builds a decoder context for every key it decodes (`EVP_PKCS82PKEY`, `d2i_PrivateKey`), gathering
/// every decoder and key manager of every provider, with thousands of lock operations; two threads decoding at
/// once contend on those locks. `EVP_PKEY_fromdata` goes to the key manager directly.
///
/// Only the common shapes are taken: RSA with two primes, and EC on a named NIST curve or secp256k1 with its
/// uncompressed public key inside, DER, no attributes. Anything else, and anything the key manager refuses, gives
/// `nil`, and the caller decodes the key through OpenSSL as before: every key this path rejects is then accepted
/// or rejected by OpenSSL's own decoder, and the keys it makes are the ones that decoder makes (the tests compare
/// their encodings).
enum PrivateKeyImport {
    /// Whether the direct import is tried; with `false`, every key goes through OpenSSL's decoder. Task-local,
    /// like ``FastKeyDerivation/isEnabled``: a test compares both paths without touching other work.
    @TaskLocal static var isEnabled = true

    /// Counts the keys this path made, when bound (for tests).
    @TaskLocal static var probe: Probe?

    /// The count of keys made by the direct import.
    final class Probe: Sendable {
        let keys = Atomic<Int>(0)
        init() {}
    }

    /// `rsaEncryption` (1.2.840.113549.1.1.1).
    private static let rsaOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    /// `id-ecPublicKey` (1.2.840.10045.2.1).
    private static let ecOID: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 2, 1]
    /// The named curves taken, by OID, with OpenSSL's names for them.
    nonisolated(unsafe) private static let curves: [ASN1ObjectIdentifier: UnsafePointer<CChar>] = [
        [1, 2, 840, 10_045, 3, 1, 7]: Name.make("prime256v1"),
        [1, 3, 132, 0, 34]: Name.make("secp384r1"),
        [1, 3, 132, 0, 35]: Name.make("secp521r1"),
        [1, 3, 132, 0, 10]: Name.make("secp256k1"),
    ]

    /// The key in `der`, a DER `PrivateKeyInfo`; `nil` when it is not of a shape this path takes or the key
    /// manager refuses it.
    static func key(fromPKCS8 der: [UInt8]) -> PrivateKey? {
        guard isEnabled, let info = try? DER.parse(der), info.identifier == .sequence,
            case .constructed(let parts) = info.content
        else { return nil }
        var fields = parts.makeIterator()
        guard let version = fields.next(), (try? Int(derEncoded: version)) == 0,
            let algorithm = fields.next(), algorithm.identifier == .sequence,
            case .constructed(let algorithmParts) = algorithm.content,
            let privateKey = fields.next(), let octets = try? ASN1OctetString(derEncoded: privateKey),
            fields.next() == nil
        else { return nil }
        var identifier = algorithmParts.makeIterator()
        guard let oidNode = identifier.next(), let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode) else {
            return nil
        }
        let parameters = identifier.next()
        guard identifier.next() == nil else { return nil }
        switch oid {
        case rsaOID:
            guard parameters == nil || parameters?.identifier == .null else { return nil }
            return counted(rsa(octets.bytes))
        case ecOID:
            guard let parameters, let curveOID = try? ASN1ObjectIdentifier(derEncoded: parameters),
                let curve = curves[curveOID]
            else { return nil }
            return counted(ec(octets.bytes, curve: curve, curveOID: curveOID))
        default:
            return nil
        }
    }

    private static func counted(_ key: PrivateKey?) -> PrivateKey? {
        if key != nil, let probe { probe.keys.add(1, ordering: .relaxed) }
        return key
    }

    /// The key of a parsed `PKCS8_PRIV_KEY_INFO` (a plain key bag's): the direct import of its DER, else
    /// OpenSSL's decoder told the key type (`cd_pkcs8_to_pkey`).
    static func key(fromInfo info: OpaquePointer) -> PrivateKey? {
        if isEnabled {
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PKCS8_PRIV_KEY_INFO(info, &out)
            if length > 0, let out {
                var der = Array(UnsafeBufferPointer(start: out, count: Int(length)))
                CRYPTO_clear_free(out, Int(length), nil, 0)
                defer { SecretBytes.wipe(&der) }
                if let key = key(fromPKCS8: der) { return key }
            }
        }
        return cd_pkcs8_to_pkey(info).map { PrivateKey(taking: $0) }
    }

    /// An `RSAPrivateKey` with two primes.
    private static func rsa(_ der: ArraySlice<UInt8>) -> PrivateKey? {
        guard let key = try? DER.parse(der), key.identifier == .sequence, case .constructed(let parts) = key.content
        else { return nil }
        var integers: [ArraySlice<UInt8>] = []
        // The INTEGERs' content octets as they are (two's complement): swift-asn1's unsigned reading of an
        // ArraySlice would drop the sign byte and let a negative number through as a large one.
        for part in parts {
            guard part.identifier == .integer, case .primitive(let value) = part.content else { return nil }
            integers.append(value)
        }
        // version 0 and eight integers; version 1 (other primes) is left to OpenSSL.
        guard integers.count == 9, integers[0] == [0] else { return nil }
        let names = [
            Name.n, Name.e, Name.d, Name.factor1, Name.factor2, Name.exponent1, Name.exponent2, Name.coefficient1,
        ]
        return build(type: "RSA", zip(names, integers.dropFirst()).map { .integer($0, $1) })
    }

    /// An `ECPrivateKey` on `curve`, with its uncompressed public key.
    private static func ec(_ der: ArraySlice<UInt8>, curve: UnsafePointer<CChar>, curveOID: ASN1ObjectIdentifier)
        -> PrivateKey?
    {
        guard let key = try? DER.parse(der), key.identifier == .sequence, case .constructed(let parts) = key.content
        else { return nil }
        var fields = parts.makeIterator()
        guard let version = fields.next(), (try? Int(derEncoded: version)) == 1,
            let secretNode = fields.next(), let secret = try? ASN1OctetString(derEncoded: secretNode)
        else { return nil }
        var publicKey: ArraySlice<UInt8>?
        let parametersTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        let publicKeyTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
        var next = fields.next()
        if let node = next, node.identifier == parametersTag {
            // Parameters repeated inside the key must name the same curve.
            guard case .constructed(let inner) = node.content, let first = inner.first(where: { _ in true }),
                (try? ASN1ObjectIdentifier(derEncoded: first)) == curveOID
            else { return nil }
            next = fields.next()
        }
        if let node = next, node.identifier == publicKeyTag {
            guard case .constructed(let inner) = node.content, let first = inner.first(where: { _ in true }),
                let bits = try? ASN1BitString(derEncoded: first), bits.paddingBits == 0
            else { return nil }
            publicKey = bits.bytes
            next = fields.next()
        }
        // A key without its public half is left to OpenSSL, which computes it; so is a compressed or hybrid point.
        guard next == nil, fields.next() == nil, let publicKey, publicKey.first == 0x04, !secret.bytes.isEmpty else {
            return nil
        }
        return build(
            type: "EC",
            [.text(Name.group, curve), .octets(Name.publicKey, publicKey), .unsigned(Name.privateKey, secret.bytes)])
    }

    /// A parameter for the key manager: its name, and a value in DER's terms.
    private enum Parameter {
        /// An INTEGER (two's complement, big-endian): only non-negative ones are taken.
        case integer(UnsafePointer<CChar>, ArraySlice<UInt8>)
        /// An unsigned big-endian number (an `ECPrivateKey`'s privateKey).
        case unsigned(UnsafePointer<CChar>, ArraySlice<UInt8>)
        case octets(UnsafePointer<CChar>, ArraySlice<UInt8>)
        case text(UnsafePointer<CChar>, UnsafePointer<CChar>)
    }

    /// The parameter names as C strings that live as long as the process (never mutated: `nonisolated(unsafe)`): `OSSL_PARAM_BLD` keeps the pointers it
    /// is given until `OSSL_PARAM_BLD_to_param` (a Swift string passed as `const char *` would be gone by then).
    /// `OSSL_PKEY_PARAM_RSA_FACTOR1` and friends are concatenated string macros, which Swift does not import.
    private enum Name {
        nonisolated(unsafe) static let n = make(OSSL_PKEY_PARAM_RSA_N)
        nonisolated(unsafe) static let e = make(OSSL_PKEY_PARAM_RSA_E)
        nonisolated(unsafe) static let d = make(OSSL_PKEY_PARAM_RSA_D)
        nonisolated(unsafe) static let factor1 = make(OSSL_PKEY_PARAM_RSA_FACTOR + "1")
        nonisolated(unsafe) static let factor2 = make(OSSL_PKEY_PARAM_RSA_FACTOR + "2")
        nonisolated(unsafe) static let exponent1 = make(OSSL_PKEY_PARAM_RSA_EXPONENT + "1")
        nonisolated(unsafe) static let exponent2 = make(OSSL_PKEY_PARAM_RSA_EXPONENT + "2")
        nonisolated(unsafe) static let coefficient1 = make(OSSL_PKEY_PARAM_RSA_COEFFICIENT + "1")
        nonisolated(unsafe) static let group = make(OSSL_PKEY_PARAM_GROUP_NAME)
        nonisolated(unsafe) static let publicKey = make(OSSL_PKEY_PARAM_PUB_KEY)
        nonisolated(unsafe) static let privateKey = make(OSSL_PKEY_PARAM_PRIV_KEY)

        static func make(_ text: String) -> UnsafePointer<CChar> {
            let bytes = Array(text.utf8CString)
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            pointer.initialize(from: bytes, count: bytes.count)
            return UnsafePointer(pointer)
        }
    }

    /// Makes a key pair of `type` from `parameters`. Every value stays in memory that lives until the parameter
    /// block is made (`OSSL_PARAM_BLD` copies at that point, not when pushed); numbers are secure BIGNUMs, and
    /// everything is wiped when done.
    private static func build(type: String, _ parameters: [Parameter]) -> PrivateKey? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        var numbers: [OpaquePointer] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            for number in numbers { BN_clear_free(number) }
            for buffer in buffers {
                OPENSSL_cleanse(buffer.baseAddress, buffer.count)
                buffer.deallocate()
            }
            OSSL_PARAM_BLD_free(builder)
        }
        ERR_set_mark()
        defer { ERR_pop_to_mark() }
        for parameter in parameters {
            let pushed: Bool
            switch parameter {
            case .integer(let name, let bytes), .unsigned(let name, let bytes):
                if case .integer = parameter, let first = bytes.first, first & 0x80 != 0 { return nil }
                guard !bytes.isEmpty, let number = BN_secure_new() else { return nil }
                numbers.append(number)
                let made = bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), number) }
                pushed = made != nil && OSSL_PARAM_BLD_push_BN(builder, name, number) == 1
            case .octets(let name, let bytes):
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                buffers.append(buffer)
                buffer.copyBytes(from: bytes)
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, name, buffer.baseAddress, bytes.count) == 1
            case .text(let name, let value):
                pushed = OSSL_PARAM_BLD_push_utf8_string(builder, name, value, 0) == 1
            }
            guard pushed else { return nil }
        }
        guard let block = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(block) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, cd_evp_pkey_keypair(), block) == 1, let key
        else { return nil }
        return PrivateKey(taking: key)
    }
}
