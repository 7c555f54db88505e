import ArgumentParser
import CertificateClient
import DropPipeline
import Foundation
import PKCS12Kit

/// `certdrop`: check certificate drops and move them into API gateways.
@main
struct CertDrop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certdrop",
        abstract: "Check certificate drops and move them into API gateways.",
        discussion: """
            Exit status: 0 when no item has an error, 1 when one has (or a key file that other users can read or \
            write is refused), 2 for usage or I/O errors.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            ValidateCommand.self, InspectCommand.self, ImportCommand.self, PlanCommand.self, ListCommand.self,
            ExpiringCommand.self,
            DiffCommand.self, MigrateCommand.self, VerifyCommand.self, ServeCommand.self, TokenCommand.self,
        ]
    )

    /// Runs the command with CertDrop's exit statuses: usage errors are 2, not the parser's 64.
    static func main() async {
        OpenSSLRuntime.installFastKeyDerivation()  // before any thread decrypts (see the README, "Embedding")
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as PipelineError {
            fail(error)
        } catch let error as ClientError {
            fail(PipelineError(error))
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == ExitCode(1) {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
        }
    }

    /// Prints a library's error and exits: 1 for a refused key file, 2 for any other.
    private static func fail(_ error: PipelineError) -> Never {
        FileHandle.standardError.write(Data("certdrop: \(error.message)\n".utf8))
        Foundation.exit(error.code == .insecureKeyFile ? 1 : 2)
    }
}
