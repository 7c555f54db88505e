import Foundation
import PKCS12Kit

/// `long-validity` (with `--target public-tls`): a validity period over the CA/Browser Forum's maximum.
///
/// The Baseline Requirements §6.3.2 cap a subscriber certificate's Validity Period by when it was issued, and
/// define the period as RFC 5280 does, "from notBefore through notAfter, inclusive", so a certificate whose
/// notAfter is 398 days after its notBefore has a period of 398 days and one second, which is over 398 days. The
/// notBefore stands for the issuance date. Certificates with a notBefore before 2020-09-01 are not checked.
public struct LongValidityRule: Sendable {
    /// One step of the schedule: certificates with a notBefore from `since` may last at most `maxDays`.
    public struct Step: Sendable, Hashable {
        public let since: Date
        public let maxDays: Int
    }

    /// BR §6.3.2 (v2.2.9): 398 days from 2020-09-01, 200 from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15.
    public static let schedule: [Step] = [
        Step(since: Date(timeIntervalSince1970: 1_598_918_400), maxDays: 398),  // 2020-09-01T00:00:00Z
        Step(since: Date(timeIntervalSince1970: 1_773_532_800), maxDays: 200),  // 2026-03-15T00:00:00Z
        Step(since: Date(timeIntervalSince1970: 1_805_068_800), maxDays: 100),  // 2027-03-15T00:00:00Z
        Step(since: Date(timeIntervalSince1970: 1_868_227_200), maxDays: 47),  // 2029-03-15T00:00:00Z
    ]

    /// Makes the rule.
    public init() {}

    /// The validity period in seconds: notAfter − notBefore + 1 (both ends inclusive).
    public static func periodSeconds(notBefore: Date, notAfter: Date) -> Int {
        Int((notAfter.timeIntervalSince(notBefore)).rounded(.down)) + 1
    }

    /// The problem, if the period is over the maximum for the notBefore.
    public func problem(notBefore: Date, notAfter: Date) -> Problem? {
        guard let step = Self.schedule.last(where: { $0.since <= notBefore }) else { return nil }
        let seconds = Self.periodSeconds(notBefore: notBefore, notAfter: notAfter)
        let limit = step.maxDays * 86_400
        guard seconds > limit else { return nil }
        let days = seconds / 86_400
        let rest = seconds % 86_400
        let shown = "\(days) days" + (rest == 0 ? "" : rest == 1 ? " and 1 second" : " and \(rest) seconds")
        return Problem(
            .longValidity,
            "a validity period of \(shown) (notBefore \(ISO8601.string(notBefore)) through notAfter "
                + "\(ISO8601.string(notAfter)), inclusive) is over the \(step.maxDays) days the CA/Browser Forum "
                + "allows for certificates issued from \(ISO8601.string(step.since))")
    }

    /// The problems of a certificate's facts.
    public func problems(of certificate: CertificateFacts) -> [Problem] {
        guard !certificate.isCertificateAuthority else { return [] }
        return problem(notBefore: certificate.notBefore, notAfter: certificate.expirationDate).map { [$0] } ?? []
    }
}
