// libFuzzer target for PKCS12Bundle.open (built by scripts/fuzz.sh, not by `swift build`).
//
// The first input byte chooses the password mode (none, the seed corpus's password, a wrong one, several), the
// rest is the file. For any input: opening never crashes, stays inside the per-file budget (no more derivations
// than the cap), and fails only with a code of PKCS12Error. What opens has self-consistent facts.
import Foundation
import PKCS12Kit

/// Small caps keep each input fast: a seed with 2048 iterations still opens, a mutated count does not stall.
private let options = PKCS12Options(maxIterations: 4096, maxBags: 256, maxCertificates: 64, maxDerivations: 12)
private let seedPassword = SecretBytes(utf8: "fuzz-pw")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPKCS12(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let passwords: [SecretBytes]
    switch data[0] % 4 {
    case 0: passwords = []
    case 1: passwords = [seedPassword]
    case 2: passwords = [SecretBytes(utf8: "wrong")]
    default: passwords = [SecretBytes(utf8: "wrong"), SecretBytes(utf8: "ünïcödé"), seedPassword]
    }
    do {
        let bundle = try PKCS12Bundle.open(bytes, passwords: passwords, options: options)
        let facts = bundle.pkcs12
        precondition(facts.privateKeys >= 0 && facts.certificates <= options.maxCertificates)
        precondition(facts.hasPrivateKey == (facts.privateKeys > 0))
        if let certificate = bundle.certificate {
            precondition(certificate.thumbprint.count == 40, "a thumbprint that is not SHA-1 hex")
        }
        precondition(bundle.chain.count + (bundle.certificate == nil ? 0 : 1) <= facts.certificates)
    } catch {
        precondition(!error.message.contains("fuzz-pw"), "a password in an error message")
    }
    return 0
}
