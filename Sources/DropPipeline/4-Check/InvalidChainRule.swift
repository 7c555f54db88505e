import Foundation
import PKCS12Kit

/// `invalid-chain`: OpenSSL refuses the path for a reason that is neither a signature, a validity period nor where
/// the path ends: a CA certificate without `CA:TRUE` or `keyCertSign`, a path length constraint broken, an
/// unhandled critical extension, a path over OpenSSL's depth limit. The message gives OpenSSL's reason.
struct InvalidChainRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        path.failures.filter { $0.kind == .other }.map { failure in
            let what =
                path.elements.indices.contains(failure.depth)
                ? PathText.element(path.elements[failure.depth]) : "a certificate"
            return Problem(.invalidChain, "\(what) on the leaf's path: \(failure.reason)")
        }
    }
}
