import Foundation

/// SARIF 2.1.0 (OASIS), the format GitHub code scanning and other CI viewers read: one run, one rule per problem
/// code (its help text from ``ProblemCode/help``), one result per problem.
///
/// The document is streamed: the tool and its rules are known before the first item, so each result is written as
/// its item arrives and memory does not grow with the drop.
enum SARIFFormat {
    static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    /// Everything before the first result.
    static var header: String {
        let tool = Tool(driver: Driver(rules: ProblemCode.allCases.map(Rule.init)))
        return "{\n  \"$schema\": \"\(schema)\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
            + "      \"tool\": " + JSONText.line(tool) + ",\n      \"results\": [\n"
    }

    /// Everything after the last result.
    static let footer = "\n      ]\n    }\n  ]\n}\n"

    /// The results of one item, one per problem, each on a line of its own (no separator before the first).
    static func results(_ report: ItemReport) -> [String] {
        let location = Location(report)
        return report.problems.map { problem in
            JSONText.line(
                Result(
                    ruleId: problem.code.rawValue, ruleIndex: ProblemCode.allCases.firstIndex(of: problem.code) ?? 0,
                    level: level(problem.severity), message: Message(text: problem.message), locations: [location]))
        }
    }

    /// SARIF's levels: `error`, `warning`, and `note` for information.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    /// A source name as a URI reference: a relative path stays relative, an absolute one becomes `file://`, and
    /// everything but unreserved characters, `/` and sub-delimiters is percent-encoded (so `<`, spaces and `:`
    /// cannot break a viewer, nor a relative reference read as a scheme).
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~/!$&'()*+,;=@")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    private struct Tool: Encodable { let driver: Driver }

    private struct Driver: Encodable {
        let name = "certdrop"
        let rules: [Rule]
    }

    private struct Rule: Encodable {
        let id: String
        let name: String
        let shortDescription: Message
        let fullDescription: Message
        let help: Help
        let defaultConfiguration: Configuration

        init(_ code: ProblemCode) {
            id = code.rawValue
            // SARIF suggests an upper camel case name: `wrong-password` is `WrongPassword`.
            name = code.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            shortDescription = Message(text: code.plainHelp)
            fullDescription = Message(text: code.plainHelp)
            help = Help(text: code.plainHelp, markdown: code.help)
            defaultConfiguration = Configuration(level: SARIFFormat.level(code.defaultSeverity))
        }
    }

    private struct Help: Encodable {
        let text: String
        let markdown: String
    }

    private struct Configuration: Encodable { let level: String }

    private struct Message: Encodable { let text: String }

    private struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Message
        let locations: [Location]
    }

    /// The artifact's path; for an archive member, the outermost archive's path with the member (its name inside,
    /// nested archives joined by `!`) as a logical location.
    private struct Location: Encodable {
        struct Physical: Encodable { let artifactLocation: Artifact }
        struct Artifact: Encodable { let uri: String }
        struct Logical: Encodable {
            let name: String
            let fullyQualifiedName: String
            let kind = "member"
        }

        let physicalLocation: Physical
        let logicalLocations: [Logical]?

        init(_ report: ItemReport) {
            if let archive = report.archive?.containers.first, report.source.hasPrefix(archive + "!") {
                let member = String(report.source.dropFirst(archive.count + 1))
                physicalLocation = Physical(artifactLocation: Artifact(uri: SARIFFormat.uri(archive)))
                logicalLocations = [Logical(name: member, fullyQualifiedName: report.source)]
            } else {
                physicalLocation = Physical(artifactLocation: Artifact(uri: SARIFFormat.uri(report.source)))
                logicalLocations = nil
            }
        }

        private enum Keys: String, CodingKey { case physicalLocation, logicalLocations }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(physicalLocation, forKey: .physicalLocation)
            try container.encodeIfPresent(logicalLocations, forKey: .logicalLocations)
        }
    }
}
