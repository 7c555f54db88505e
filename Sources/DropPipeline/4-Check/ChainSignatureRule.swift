import Foundation
import PKCS12Kit

/// `chain-signature`: a certificate on the path does not verify against its issuer's key.
///
/// OpenSSL picks an issuer by name (and key identifiers, when the certificates carry them), then checks the
/// signature; an issuer with the right name and the wrong key, or a damaged signature, fails here. With key
/// identifiers that disagree, OpenSSL does not take the impostor as the issuer at all: the path then stops
/// (`incomplete-chain`) and the impostor is `unrelated-certificate`.
struct ChainSignatureRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        path.failures.filter { $0.kind == .signature }.map { failure in
            let elements = path.elements
            guard elements.indices.contains(failure.depth) else {
                return Problem(.chainSignature, "a certificate on the leaf's path: \(failure.reason)")
            }
            let subject = PathText.element(elements[failure.depth])
            if elements.indices.contains(failure.depth + 1) {
                let issuer = PathText.element(elements[failure.depth + 1])
                return Problem(
                    .chainSignature,
                    "\(subject) does not verify against its issuer \(issuer): \(failure.reason)")
            }
            return Problem(.chainSignature, "\(subject) on the leaf's path: \(failure.reason)")
        }
    }
}
