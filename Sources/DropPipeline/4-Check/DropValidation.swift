import Foundation
import PKCS12Kit

/// Counts over a run, by verdict and by problem code.
public struct ValidationSummary: Sendable, Hashable {
    /// Items seen.
    public var total = 0
    /// Items per verdict.
    public var verdicts: [Verdict: Int] = [:]
    /// Items per problem code (an item counts once per code).
    public var problems: [ProblemCode: Int] = [:]

    /// An empty summary.
    public init() {}

    /// Counts one item.
    public mutating func count(_ report: ItemReport) {
        total += 1
        verdicts[report.verdict, default: 0] += 1
        for code in Set(report.problems.map(\.code)) {
            problems[code, default: 0] += 1
        }
    }
}

/// The order-dependent part of the check stage: `duplicate` and `duplicate-id`, decided in source order.
///
/// It remembers one thumbprint and one id per item (short strings), never the items themselves.
public struct DuplicateLedger: Sendable {
    private var thumbprints: [String: String] = [:]
    private var ids: [String: String] = [:]

    /// An empty ledger.
    public init() {}

    /// Adds `duplicate` / `duplicate-id` to `report` when an earlier item had the same leaf or id.
    ///
    /// Only items that hold the private key count as copies of a certificate: a lone `x.cer` sorted before
    /// `x.pfx` must not make the uploadable file a duplicate.
    public mutating func record(_ report: inout ItemReport) {
        if let thumbprint = report.certificate?.thumbprint, report.pkcs12?.hasPrivateKey == true {
            if let first = thumbprints[thumbprint] {
                report.add(Problem(.duplicate, "the same certificate (\(thumbprint)) as \(first)"))
            } else {
                thumbprints[thumbprint] = report.source
            }
        }
        if let id = report.id, report.verdict != .ignored {
            // Ids are compared as the service compares them: without regard to case.
            let key = id.lowercased()
            if let first = ids[key] {
                report.add(Problem(.duplicateID, "the id \"\(id)\" is already taken by \(first)"))
            } else {
                ids[key] = report.source
            }
        }
    }
}

/// `certdrop validate`: sources → unpack → inspect → check, on all cores, results in source order.
public struct DropValidation: Sendable {
    /// Where the items come from.
    public let reader: DropReader
    /// How each item is inspected and checked.
    public let inspector: Inspector

    /// Makes a validation run.
    public init(reader: DropReader, inspector: Inspector) {
        self.reader = reader
        self.inspector = inspector
    }

    /// Runs the stages and hands each report to `sink` in source order. Returns the summary. `stop` is asked
    /// before each file is opened (from the reading thread): once it says yes, nothing more is read, and the
    /// reports of what was read already still reach `sink`.
    @discardableResult
    public func run(until stop: @escaping @Sendable () -> Bool = { false }, sink: (ItemReport) -> Void)
        -> ValidationSummary
    {
        let inspector = self.inspector
        let reader = self.reader
        let map = OrderedParallelMap<DropUnit, ItemReport> { inspector.inspect($0).report }
        var ledger = DuplicateLedger()
        var summary = ValidationSummary()
        map.run(produce: { emit in reader.units(until: stop, emit: emit) }) { report in
            var report = report
            ledger.record(&report)
            summary.count(report)
            sink(report)
        }
        return summary
    }
}

extension ValidationSummary {
    /// 0 when no item has a problem at `failOn` or above, 1 when one has.
    public func exitStatus(failOn: Severity) -> Int32 {
        let failing = failOn == .warning ? [Verdict.error, .warning] : [.error]
        return failing.contains { (verdicts[$0] ?? 0) > 0 } ? 1 : 0
    }
}
