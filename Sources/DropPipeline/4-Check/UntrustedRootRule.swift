import Foundation
import PKCS12Kit

/// `untrusted-root`: with a trust store (`--ca-file`, `--trust system`), the path ends in a self-signed
/// certificate of the file that the store does not hold: the leaf's own root, or the self-signed leaf itself.
/// Without a trust store nothing can be trusted or distrusted, and no such warning is given.
struct UntrustedRootRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        guard path.trustChecked, path.end == .file, let root = path.elements.last else { return [] }
        let sources = PathText.either(PathText.trustSources(policy))
        if path.elements.count == 1 {
            return [Problem(.untrustedRoot, "the leaf is self-signed and not trusted by \(sources)")]
        }
        return [
            Problem(.untrustedRoot, "the path ends in the root \(PathText.element(root)), not trusted by \(sources)")
        ]
    }
}
