import CertificateAPI
import Foundation

/// Where a client's credentials come from: a file or a command, never a secret itself. Every command's options
/// (`--sas-key-file`, `--token-file`, a profile's `sasKeyFile`, …) end in one of these, and ``provider(for:role:
/// allowInsecureKeyFile:)`` is the one place that turns it into a ``CredentialProvider``.
public enum CredentialSource: Sendable, Hashable {
    /// A file holding a token: a shared access signature (legacy) or a bearer token (ARM), with or without its
    /// scheme.
    case tokenFile(String)
    /// A key file (``CertificateAPI/KeyFile``). Legacy: shared access signatures minted for `identifier`, else the
    /// identifier the file names; `bareKeyHint` is the usage message for a bare key with no identifier. ARM: a
    /// CertDrop service's key file mints that service's bearer tokens.
    case keyFile(String, identifier: String?, bareKeyHint: String)
    /// A command that prints a bearer token (ARM).
    case tokenCommand(String)

    /// The credentials for `dialect`. `role` (`--from`, `--to`) goes into messages; `allowInsecureKeyFile` accepts
    /// a key file that other users can read or write.
    /// - Throws: ``ClientError``: `key-file-insecure`; `password-source` for a file that cannot be read (or an
    ///   empty or malformed one); `usage` for a source the dialect does not take.
    public func provider(for dialect: Dialect, role: String, allowInsecureKeyFile: Bool) throws(ClientError)
        -> any CredentialProvider
    {
        switch (self, dialect) {
        case (.tokenFile(let path), _):
            let scheme = dialect == .legacy ? SharedAccessSignature.scheme : BearerToken.scheme
            return try TokenFileCredential(path: path, scheme: scheme)
        case (.tokenCommand, .legacy):
            throw ClientError.usage("\(role): the legacy dialect takes a token file or a key file, not a command")
        case (.tokenCommand(let command), .arm):
            return TokenCommandCredential(command: command)
        case (.keyFile(let path, let identifier, let bareKeyHint), .legacy):
            let file = try readKeyFile(path: path, allowInsecure: allowInsecureKeyFile)
            if identifier == nil, file.form == .bareKey { throw ClientError.usage(bareKeyHint) }
            return try MintedSignatureCredential(keyFile: file, identifier: identifier)
        case (.keyFile(let path, _, _), .arm):
            let file = try readKeyFile(path: path, allowInsecure: allowInsecureKeyFile)
            guard file.form == .service, let identifier = file.identifier else {
                throw ClientError.usage(
                    "\(role): for the arm dialect a key file must be a CertDrop service's key file; "
                        + "against Azure give a token file or a token command")
            }
            return MintedBearerCredential(subject: identifier, key: file.primaryKey)
        }
    }
}
