// libFuzzer target for the PEM reader, PEMMaterial (built by scripts/fuzz.sh, not by `swift build`).
//
// For any text: reading never crashes and never derives past the caps (an encrypted key's iteration count over
// the cap is refused before any derivation); failures are PKCS12Error codes without the password.
import Foundation
import PKCS12Kit

private let options = PKCS12Options(maxIterations: 4096, maxCertificates: 64, maxDerivations: 4)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPEM(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let material = try PEMMaterial(
            pieces: [bytes], passwords: [SecretBytes(utf8: "fuzz-pw"), SecretBytes(utf8: "")], options: options)
        precondition(material.certificateCount <= options.maxCertificates)
        _ = material.keyMatchesACertificate
    } catch {
        precondition(!error.message.contains("fuzz-pw"), "a password in an error message")
    }
    return 0
}
