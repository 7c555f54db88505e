import Foundation
import PKCS12Kit

/// One check of a leaf's path as OpenSSL built and verified it (``CertificatePath``). Each rule is its own type,
/// in the order ``ValidationPolicy`` applies them; a rule reads the path and the policy and returns its findings.
protocol PathRule: Sendable {
    /// The findings of this rule on `path`.
    func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem]
}

/// The path rules, in the order their problems are listed.
enum PathRules {
    static let all: [any PathRule] = [
        ChainSignatureRule(), ExpiredChainCertificateRule(), InvalidChainRule(), IncompleteChainRule(),
        UntrustedRootRule(), ChainExpiringSoonRule(), UnrelatedCertificateRule(),
    ]

    /// Every rule's findings on `path`.
    static func problems(of path: CertificatePath, policy: ValidationPolicy) -> [Problem] {
        all.flatMap { $0.problems(of: path, policy: policy) }
    }
}

/// How path messages name certificates and trust sources: names made safe for a terminal and kept short.
enum PathText {
    /// The longest name a message quotes, in characters.
    static let maxName = 200

    /// `"CN=x, O=y"`, control characters escaped, cut at ``maxName``.
    static func name(_ text: String) -> String {
        let safe = DisplayText.escaped(text)
        return "\"" + (safe.count > maxName ? String(safe.prefix(maxName)) + "…" : safe) + "\""
    }

    /// `"CN=x, O=y" (from the file)`.
    static func element(_ element: PathElement) -> String {
        "\(name(element.subject)) (from \(origin(element.origin)))"
    }

    /// `the file`, `--ca-file`, `the system store`.
    static func origin(_ origin: ChainOrigin) -> String {
        switch origin {
        case .file: "the file"
        case .caFile: "--ca-file"
        case .system: "the system store"
        }
    }

    /// The trust sources the policy consults, for "which neither … trusts": `--ca-file`, `the system store`.
    static func trustSources(_ policy: ValidationPolicy) -> [String] {
        guard let trust = policy.trust else { return [] }
        return (trust.bundleCount > 0 ? ["--ca-file"] : []) + (trust.system != nil ? ["the system store"] : [])
    }

    /// `a`, `a or b`, `a, b or c`.
    static func either(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " or " + last
    }
}
