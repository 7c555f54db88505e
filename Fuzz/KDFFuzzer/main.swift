// libFuzzer target for the C code of CFastKDF: the fast PBKDF2 and PKCS#12 KDF, checked byte for byte against
// OpenSSL's own functions on fuzzed parameters, and the PBE parameter reader over a fuzzed AlgorithmIdentifier
// (built by scripts/fuzz.sh, not by `swift build`). The PFX's authenticated safe is located in Swift now
// (swift-asn1), which PKCS12Fuzzer reaches.
//
// Input layout: [digest selector][id][iterations (1 byte, 1...64)][password length][salt length][output length]
// then the password, the salt, and the rest as a DER AlgorithmIdentifier for the parameter reader.
import CFastKDF
import COpenSSL
import Foundation

private let digests: [Int32] = [NID_sha1, NID_sha224, NID_sha256, NID_sha384, NID_sha512]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKDF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 6 else { return 0 }
    let nid = digests[Int(input[0]) % digests.count]
    let id = Int32(input[1] % 3) + 1
    let iterations = Int(input[2] % 64) + 1
    var rest = input.dropFirst(6)
    let password = Array(rest.prefix(Int(input[3] % 65)))
    rest = rest.dropFirst(password.count)
    let salt = Array(rest.prefix(Int(input[4] % 33)))
    rest = rest.dropFirst(salt.count)
    let outputLength = Int(input[5] % 96) + 1
    let der = Array(rest)

    guard let md = EVP_get_digestbyname(OBJ_nid2sn(nid)) else { return 0 }
    var fast = [UInt8](repeating: 0, count: outputLength)
    var slow = [UInt8](repeating: 0, count: outputLength)
    let fastOK = cd_fast_pbkdf2(nid, password, password.count, salt, salt.count, UInt64(iterations), &fast, fast.count)
    let slowOK = password.withUnsafeBufferPointer { pass in
        pass.withMemoryRebound(to: CChar.self) { pass in
            PKCS5_PBKDF2_HMAC(
                pass.baseAddress, Int32(pass.count), salt, Int32(salt.count), Int32(iterations), md, Int32(slow.count),
                &slow)
        }
    }
    if fastOK == 1 { precondition(slowOK == 1 && fast == slow, "PBKDF2 differs from OpenSSL's") }

    if !salt.isEmpty {
        var fast12 = [UInt8](repeating: 0, count: outputLength)
        var slow12 = [UInt8](repeating: 0, count: outputLength)
        var pass = password
        var saltCopy = salt
        let fastOK12 = cd_fast_pkcs12_kdf(
            nid, pass, pass.count, salt, salt.count, id, UInt64(iterations), &fast12, fast12.count)
        let slowOK12 = PKCS12_key_gen_uni(
            &pass, Int32(pass.count), &saltCopy, Int32(saltCopy.count), id, Int32(iterations), Int32(slow12.count),
            &slow12, md)
        if fastOK12 == 1 { precondition(slowOK12 == 1 && fast12 == slow12, "PKCS#12 KDF differs from OpenSSL's") }
    }

    der.withUnsafeBufferPointer { buffer in
        var cursor = buffer.baseAddress
        guard let algorithm = d2i_X509_ALGOR(nil, &cursor, buffer.count) else {
            ERR_clear_error()
            return
        }
        defer { X509_ALGOR_free(algorithm) }
        var scheme: Int32 = 0
        var cipher: Int32 = 0
        var prf: Int32 = 0
        var iterations = -1
        cd_pbe_parameters(UnsafeRawPointer(algorithm), &scheme, &cipher, &prf, &iterations)
        ERR_clear_error()
        precondition(scheme == OBJ_obj2nid(algorithm.pointee.algorithm), "the scheme is not the algorithm's")
    }
    return 0
}
