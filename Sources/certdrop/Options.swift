import ArchiveKit
import ArgumentParser
import DropPipeline
import Foundation
import PKCS12Kit

/// Where passwords come from. None of them takes a password as a value.
struct PasswordOptions: ParsableArguments {
    @Option(name: .customLong("password-file"), help: "A file whose first line is the password.")
    var passwordFile: String?

    @Option(
        name: .customLong("passwords"),
        help: ArgumentHelp(
            "A JSON map of source → password or list of candidates.", valueName: "map.json"))
    var passwordMap: String?

    @Flag(name: .customLong("password-stdin"), help: "Read one password from the first line of standard input.")
    var passwordStdin = false

    @Flag(name: .customLong("no-sidecars"), help: "Do not read x.pfx.password / x.pfx.pwd files.")
    var noSidecars = false

    func book() throws -> PasswordBook {
        try PasswordSources(
            passwordFile: passwordFile, mapFile: passwordMap, readStandardInput: passwordStdin,
            useSidecars: !noSidecars
        ).load()
    }
}

/// The checks and their thresholds.
struct CheckOptions: ParsableArguments {
    @Option(name: .customLong("min-days"), help: "Warn about certificates that expire within this many days.")
    var minDays = 30

    @Flag(name: .customLong("deny-self-signed"), help: "Make self-signed certificates an error.")
    var denySelfSigned = false

    @Flag(help: "Make files that are not certificates errors instead of ignored.")
    var strict = false

    @Option(name: .customLong("max-iterations"), help: "Refuse key derivations with more iterations than this.")
    var maxIterations = 1_000_000

    @Option(name: .customLong("max-certificates"), help: "Refuse PKCS#12 and PEM files with more certificates.")
    var maxCertificates = PKCS12Options.defaultMaxCertificates

    @Option(name: .customLong("max-bags"), help: "Refuse PKCS#12 files with more safe bags.")
    var maxBags = PKCS12Options.defaultMaxBags

    @Option(
        name: .customLong("max-derivations"),
        help: "Refuse files whose opening takes more key derivations, over every candidate password.")
    var maxDerivations = PKCS12Options.defaultMaxDerivations

    @Option(name: .customLong("id-template"), help: "How ids are made: {stem}, {thumbprint}, {thumbprint8}, {cn}.")
    var idTemplate = "{stem}"

    // `--ca-file` is the service's TLS CA on import, plan and migrate; validate and inspect take it as this too.
    @Option(
        name: .customLong("chain-ca-file"),
        help: ArgumentHelp("A PEM bundle of trusted CA certificates a leaf's path may end in.", valueName: "file"))
    var chainCAFile: String?

    @Option(name: .customLong("trust"), help: "system: also trust the machine's trust store; none (default).")
    var trust: TrustSelection = .none

    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "Where the files go; repeat for more: \(TargetProfile.all.map(\.name).joined(separator: ", ")).",
            discussion: "Files a target cannot read get target-incompatible; some targets turn on lint rules."))
    var targets: [String] = []

    @Option(help: "The TLS role the certificates are for (server or client): checks keyUsage/extendedKeyUsage.")
    var usage: TLSUsage?

    mutating func validate() throws {
        try NumericBounds.check(minDays, NumericBounds.minDays, "--min-days", unit: "days")
        try NumericBounds.check(maxIterations, NumericBounds.maxIterations, "--max-iterations")
        try NumericBounds.check(maxCertificates, NumericBounds.maxCertificates, "--max-certificates")
        try NumericBounds.check(maxBags, NumericBounds.maxBags, "--max-bags")
        try NumericBounds.check(maxDerivations, NumericBounds.maxDerivations, "--max-derivations")
        for name in targets where TargetProfile.named(name) == nil {
            throw ValidationError(
                "unknown --target \(name); known: \(TargetProfile.all.map(\.name).joined(separator: ", "))")
        }
        do {
            _ = try IDTemplate(idTemplate)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func policy() throws -> ValidationPolicy {
        var policy = ValidationPolicy(
            minDays: minDays, denySelfSigned: denySelfSigned, strict: strict,
            pkcs12: PKCS12Options(
                maxIterations: maxIterations, maxBags: maxBags, maxCertificates: maxCertificates,
                maxDerivations: maxDerivations),
            idTemplate: try IDTemplate(idTemplate),
            trust: try TrustSources(caFile: chainCAFile, selection: trust).load())
        // Each named once, in the order given.
        var seen: Set<String> = []
        policy.targets = targets.filter { seen.insert($0).inserted }.compactMap(TargetProfile.named)
        policy.usage = usage
        return policy
    }

    /// These options with `--ca-file` (of validate and inspect) as the chain CA bundle.
    func withCAFile(_ caFile: String?) throws -> CheckOptions {
        guard let caFile else { return self }
        guard chainCAFile == nil else { throw ValidationError("give --ca-file or --chain-ca-file, not both") }
        var options = self
        options.chainCAFile = caFile
        return options
    }
}

/// Where and how results are written.
struct OutputOptions: ParsableArguments {
    @Option(help: "table, json, jsonl, csv, junit, sarif (SARIF 2.1.0) or html (one self-contained page).")
    var format: ReportFormat = .table

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    func textOutput() throws -> TextOutput {
        if let output { return try TextOutput.file(output) }
        return .standardOutput()
    }
}

extension ReportFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
extension TrustSelection: ExpressibleByArgument {}

/// How archives are opened, and the caps that keep hostile ones cheap.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .customLong("archive-password-file"), help: "A file whose first line opens encrypted zip entries.")
    var archivePasswordFile: String?

    @Option(name: .customLong("max-entry-bytes"), help: "The largest file or archive entry read (default 10 MiB).")
    var maxEntryBytes = 10 << 20

    @Option(name: .customLong("max-archive-bytes"), help: "The most bytes read out of one archive (default 1 GiB).")
    var maxArchiveBytes = 1 << 30

    @Option(name: .customLong("max-entries"), help: "The most entries read out of one archive (default 100000).")
    var maxEntries = 100_000

    @Option(name: .customLong("max-depth"), help: "How deep archives inside archives are opened (default 4).")
    var maxDepth = 4

    @Flag(
        name: .customLong("follow-symlinks"),
        help: "Follow symbolic links inside a drop, never out of the paths given (default: report them, unread).")
    var followSymlinks = false

    mutating func validate() throws {
        try NumericBounds.check(maxEntryBytes, NumericBounds.maxEntryBytes, "--max-entry-bytes", unit: "bytes")
        try NumericBounds.check(maxArchiveBytes, NumericBounds.maxArchiveBytes, "--max-archive-bytes", unit: "bytes")
        try NumericBounds.check(maxEntries, NumericBounds.maxEntries, "--max-entries")
        try NumericBounds.check(maxDepth, NumericBounds.maxDepth, "--max-depth", unit: "levels")
    }

    func unpacker(passwords: PasswordBook) throws -> ArchiveUnpacker {
        var archivePasswords: [SecretBytes] = []
        if let archivePasswordFile {
            archivePasswords.append(
                try PasswordBook.readPasswordFile(
                    archivePasswordFile, flag: "--archive-password-file", code: .passwordSource))
        }
        let limits = ArchiveLimits(
            maxEntryBytes: maxEntryBytes, maxTotalBytes: maxArchiveBytes, maxEntries: maxEntries, maxDepth: maxDepth)
        return ArchiveUnpacker(limits: limits, passwords: passwords, archivePasswords: archivePasswords)
    }
}
