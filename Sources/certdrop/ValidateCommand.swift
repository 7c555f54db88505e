import ArgumentParser
import DropPipeline
import Foundation

/// `certdrop validate PATH...`: pre-flight validation of a drop.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every certificate in folders, files and archives, and report each one.",
        discussion: """
            Exit status: 0 when no item has an error (with --fail-on warning: no warning either), 1 when one has,
            2 for usage or I/O errors.
            """
    )

    @Argument(help: "Folders, .pfx/.p12 files and archives.")
    var paths: [String]

    @OptionGroup var passwords: PasswordOptions
    @OptionGroup var checks: CheckOptions
    @OptionGroup var archives: ArchiveOptions
    @OptionGroup var output: OutputOptions

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp("The same as --chain-ca-file: trusted CAs a leaf's path may end in.", valueName: "file"))
    var caFile: String?

    @Option(name: .customLong("fail-on"), help: "error, or warning to fail on warnings too.")
    var failOn: Severity = .error

    func validate() throws {
        guard failOn != .info else { throw ValidationError("--fail-on takes error or warning") }
    }

    func run() throws {
        let run = try DropRun(
            paths: paths, passwords: passwords, checks: try checks.withCAFile(caFile), archives: archives)
        let writer = try ReportWriter(
            format: output.format, output: try output.textOutput(), failOn: failOn, minDays: checks.minDays)
        // A report that cannot be written stops the run: nothing more is read.
        let stop = StopSignal()
        let summary = run.validation.run(until: { stop.isSet }) { report in
            writer.write(report)
            if writer.hasFailed { stop.set() }
        }
        writer.finish(summary)
        // A report that could not be written whole is an I/O error (exit 2).
        try writer.close()
        throw ExitCode(summary.exitStatus(failOn: failOn))
    }
}

/// `certdrop inspect FILE...`: every fact of each file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show everything about PKCS#12 files: certificate, chain, protection and problems."
    )

    @Argument(help: "Files, folders or archives.")
    var paths: [String]

    @OptionGroup var passwords: PasswordOptions
    @OptionGroup var checks: CheckOptions
    @OptionGroup var archives: ArchiveOptions

    @Option(help: "text or json.")
    var format: InspectOutput = .text

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp("The same as --chain-ca-file: trusted CAs a leaf's path may end in.", valueName: "file"))
    var caFile: String?

    enum InspectOutput: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let run = try DropRun(
            paths: paths, passwords: passwords, checks: try checks.withCAFile(caFile), archives: archives)
        let stdout = TextOutput.standardOutput()
        let writer = format == .json ? try ReportWriter(format: .json, output: stdout) : nil
        let summary = run.validation.run { report in
            if let writer { writer.write(report) } else { stdout.write(InspectFormat.dump(report)) }
        }
        writer?.finish(summary)
        try stdout.check()
        throw ExitCode(summary.exitStatus(failOn: .error))
    }
}
