// libFuzzer target for the content sniffing of a drop's entries (ContentKind, over PKCS12Kit's BERPrefix) and the
// BER diagnosis of undecodable safe contents (built by scripts/fuzz.sh, not by `swift build`).
//
// For any bytes: no crash; sniffing a prefix agrees with sniffing the whole (the pipeline sniffs the first
// bytes only); a header that is read lies inside the input.
import Foundation

@testable import PKCS12Kit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSniff(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let kind = ContentKind(sniffing: bytes)
    if bytes.count > 16 {
        let prefix = Array(bytes.prefix(16))
        if BERPrefix.startsLikePFX(prefix) { precondition(kind == .pkcs12, "a PFX prefix sniffed as \(kind)") }
    }
    var offset = 0
    for _ in 0..<8 {
        guard let header = BERPrefix.header(bytes, at: offset) else { break }
        precondition(header.contentStart > offset && header.contentStart <= bytes.count, "a header past the input")
        offset = header.contentStart
    }
    _ = SafeContentsDiagnosis.diagnose(bytes)
    _ = try? ScryptCost.cost(ofAlgorithmIdentifier: bytes)
    return 0
}
