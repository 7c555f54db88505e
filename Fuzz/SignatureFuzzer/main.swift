// libFuzzer target for the credential parsers of CertificateAPI: shared access signatures and bearer tokens
// (built by scripts/fuzz.sh, not by `swift build`).
//
// For any header value: parsing and verifying never crash; a signature that parses renders to a header value that
// parses back to the same identifier, expiry and signature; nothing hostile verifies.
import CertificateAPI
import Foundation

private let keys = SharedAccessKeyPair(primary: "fuzz-primary", secondary: "fuzz-secondary")
private let now = Date(timeIntervalSince1970: 1_800_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignature(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let signature = try? SharedAccessSignature.parse(authorizationHeader: header) {
        do {
            try signature.verify(keyring: ["fuzz": keys], now: now)
            // Only a genuine signature verifies; the fuzzer cannot forge HMAC-SHA512, so this is a real failure.
            preconditionFailure("a fuzzed signature verified: \(signature)")
        } catch {
            precondition(error.code.wireCode == .unauthorized, "unexpected error code \(error.code)")
        }
        let again = try? SharedAccessSignature.parse(authorizationHeader: signature.authorizationHeaderValue)
        precondition(
            again?.uid == signature.uid && again?.expiry == signature.expiry && again?.signature == signature.signature,
            "re-rendered signature does not parse back: \(signature)")
    }
    if let claims = try? BearerToken.verify(authorizationHeader: header, keys: [keys.primary], now: now) {
        preconditionFailure("a fuzzed bearer token verified: \(claims)")
    }
    _ = WireDate.date(from: header)
    return 0
}
