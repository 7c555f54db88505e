import Foundation
import PKCS12Kit

/// `expired-chain-certificate`: a CA certificate on the path (depth 1 and up, trust anchors included) has expired
/// or is not yet valid at the reference time, as OpenSSL's check of the path says (notAfter at or before the
/// time is expired, as for the leaf). The leaf's own validity is `expired` / `not-yet-valid`.
struct ExpiredChainCertificateRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        path.failures.filter { $0.kind == .expired || $0.kind == .notYetValid }.map { failure in
            guard path.elements.indices.contains(failure.depth) else {
                return Problem(.expiredChainCertificate, "a CA certificate on the leaf's path: \(failure.reason)")
            }
            let element = path.elements[failure.depth]
            let name = "the CA certificate \(PathText.element(element))"
            switch (failure.kind, element.notAfter, element.notBefore) {
            case (.expired, let notAfter?, _):
                let days = Int((policy.now.timeIntervalSince(notAfter) / 86_400).rounded(.down))
                return Problem(
                    .expiredChainCertificate,
                    "\(name) on the leaf's path expired on \(ISO8601.string(notAfter)) (\(days) days ago)")
            case (.notYetValid, _, let notBefore?):
                return Problem(
                    .expiredChainCertificate,
                    "\(name) on the leaf's path is not valid before \(ISO8601.string(notBefore))")
            default:
                return Problem(.expiredChainCertificate, "\(name) on the leaf's path: \(failure.reason)")
            }
        }
    }
}
