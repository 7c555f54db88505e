import Foundation
import PKCS12Kit

/// `expiring-soon` for the path: a CA certificate on it (depth 1 and up) that is valid now but expires within
/// `--min-days`, by the same arithmetic as the leaf's check. One that has already expired is
/// `expired-chain-certificate` instead.
struct ChainExpiringSoonRule: PathRule {
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        let day: TimeInterval = 86_400
        let failed = Set(path.failures.filter { $0.kind == .expired || $0.kind == .notYetValid }.map(\.depth))
        let horizon = policy.now.addingTimeInterval(Double(policy.minDays) * day)
        return path.elements.enumerated().dropFirst().compactMap { depth, element in
            guard !failed.contains(depth), let notAfter = element.notAfter, notAfter > policy.now,
                element.notBefore.map({ $0 <= policy.now }) ?? true, notAfter < horizon
            else { return nil }
            let days = Int((notAfter.timeIntervalSince(policy.now) / day).rounded(.down))
            return Problem(
                .expiringSoon,
                "the CA certificate \(PathText.element(element)) on the leaf's path expires on "
                    + "\(ISO8601.string(notAfter)), in \(days) days (minimum \(policy.minDays))")
        }
    }
}
