import ArgumentParser
import CertificateAPI
import CertificateService
import Foundation

/// `certdrop token`: a credential for the local service, minted from its key file.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a credential for the local certificate service, minted from its key file.",
        discussion: """
            Without --bearer it prints a shared access signature for the legacy dialect and the admin routes, as \
            the whole Authorization header value:
              curl -H "Authorization: $(certdrop token)" ...
            With --bearer it prints a token for the ARM dialect:
              curl -H "Authorization: Bearer $(certdrop token --bearer)" ...
            Only the credential is printed; never a key. A key file that other users can read or write \
            (mode & 077) is refused unless --allow-insecure-key-file is given; the message says the chmod 600 that \
            fixes it.

            Exit status: 0 on success, 1 for a key file that other users can read or write, 2 for usage errors or \
            an unreadable key file.
            """
    )

    @Option(
        name: .customLong("key-file"), help: "The key file (default: .certdrop/service.keys.json or in $CERTDROP_HOME)."
    )
    var keyFile: String?

    @Option(name: .customLong("id"), help: "The access identifier (default: the key file's).")
    var identifier: String?

    @Option(help: "When the credential expires, ISO-8601 (2026-12-01T10:00:00Z).")
    var expiry: String?

    @Option(help: "How many seconds the credential is valid (default: 3600).")
    var ttl: Int?

    @Flag(help: "Sign with the secondary key.")
    var secondary = false

    @Flag(help: "Mint a bearer token for the ARM dialect instead of a shared access signature.")
    var bearer = false

    @Flag(help: "Spell the shared access signature in the compact form {id}&{yyyyMMddHHmm}&{sig}.")
    var compact = false

    @Flag(
        name: .customLong("allow-insecure-key-file"),
        help: "Use a key file that other users can read or write (by default it is refused).")
    var allowInsecureKeyFile = false

    func validate() throws {
        guard expiry == nil || ttl == nil else { throw ValidationError("give --expiry or --ttl, not both") }
        if let ttl { try NumericBounds.check(ttl, NumericBounds.ttlSeconds, "--ttl", unit: "seconds") }
        if let expiry, WireDate.date(from: expiry) == nil {
            throw ValidationError("--expiry must be an ISO-8601 date, such as 2026-12-01T10:00:00Z")
        }
        guard !(bearer && compact) else { throw ValidationError("--compact applies to shared access signatures only") }
    }

    func run() throws {
        let path = keyFile ?? ServiceHome().keyFilePath
        let expiryDate =
            expiry.flatMap(WireDate.date(from:))
            ?? Date().addingTimeInterval(ttl.map(TimeInterval.init) ?? AccessToken.defaultLifetime)
        let kind: AccessToken.Kind = bearer ? .bearer : .sharedAccessSignature(compact ? .compact : .keyed)
        do {
            let keys = try AccessKeyFile.load(path: path, allowInsecure: allowInsecureKeyFile)
            let credential = try AccessToken.mint(
                kind, keys: keys, identifier: identifier, expiry: expiryDate, useSecondaryKey: secondary)
            print(credential)
        } catch {
            FileHandle.standardError.write(Data("certdrop token: \(error.message)\n".utf8))
            throw ExitCode(error.detailCode == SecretFileError.Code.insecure.rawValue ? 1 : 2)
        }
    }
}
