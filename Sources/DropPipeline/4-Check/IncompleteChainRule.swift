import Foundation
import PKCS12Kit

/// `incomplete-chain`: the path stops at a certificate whose issuer is in neither the file nor a trust store, so
/// the file does not carry the way to a self-signed root or to a trusted certificate. The message names the
/// issuer the path needs (the last certificate's issuer name).
///
/// A self-signed leaf alone is its own root: not incomplete. A leaf whose issuer is trusted (`--ca-file`,
/// `--trust system`) is complete without the file carrying more.
struct IncompleteChainRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        guard path.end == .nowhere, let last = path.elements.last, let missing = path.missingIssuer else { return [] }
        let places = ["the file"] + PathText.trustSources(policy)
        let whereNot =
            switch places.count {
            case 1: "is not in the file"
            case 2: "is in neither \(places[0]) nor \(places[1])"
            default: "is in none of \(places.dropLast().joined(separator: ", ")) and \(places[places.count - 1])"
            }
        let at = path.elements.count == 1 ? "the leaf" : PathText.element(last)
        return [
            Problem(
                .incompleteChain,
                "the path stops at \(at): its issuer \(PathText.name(missing)) \(whereNot)")
        ]
    }
}
