import Foundation
import PKCS12Kit

/// `unrelated-certificate`: certificates in the file that are on no path OpenSSL builds for the leaf, neither
/// from the file alone nor with the trust store. One problem per file, naming the first few.
struct UnrelatedCertificateRule: PathRule {
    /// How many certificates the message names.
    static let named = 5

    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        let unrelated = path.unrelated
        guard !unrelated.isEmpty else { return [] }
        var names = unrelated.prefix(Self.named).map { "\(PathText.name($0.subject)) (\($0.thumbprint))" }
        if unrelated.count > Self.named { names.append("and \(unrelated.count - Self.named) more") }
        let count = unrelated.count == 1 ? "1 certificate" : "\(unrelated.count) certificates"
        let verb = unrelated.count == 1 ? "is" : "are"
        return [
            Problem(
                .unrelatedCertificate,
                "\(count) in the file \(verb) on no path of the leaf: \(names.joined(separator: ", "))")
        ]
    }
}
