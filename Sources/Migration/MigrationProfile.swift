import CertificateClient
import DropPipeline
import Foundation

/// A small JSON file that names the two instances of a migration and where their credentials come from, so that
/// `diff`, `migrate` and `verify` take one `--profile` instead of a dozen options:
///
/// ```json
/// { "from": { "service": "https://old.management.azure-api.net", "sasKeyFile": "old.keys.json" },
///   "to": { "service": "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/new",
///           "tokenCommand": "az account get-access-token --query accessToken -o tsv" } }
/// ```
///
/// Each side is a ``ServiceEndpoint``. A profile names files and commands, never secrets; relative file names are
/// read from the profile's own folder. Members it does not know are errors.
public struct MigrationProfile: Sendable, Hashable, Codable {
    /// The source instance.
    public var from: ServiceEndpoint?
    /// The target instance.
    public var to: ServiceEndpoint?

    /// Makes a profile.
    public init(from: ServiceEndpoint? = nil, to: ServiceEndpoint? = nil) {
        self.from = from
        self.to = to
    }

    private enum CodingKeys: String, CodingKey { case from, to }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes a profile; members other than `from` and `to` are errors.
    public init(from decoder: any Decoder) throws {
        for key in try decoder.container(keyedBy: AnyKey.self).allKeys where key.stringValue != "from" {
            guard key.stringValue == "to" else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: [key], debugDescription: "unknown member: a profile has \"from\" and \"to\""))
            }
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decodeIfPresent(ServiceEndpoint.self, forKey: .from)
        to = try container.decodeIfPresent(ServiceEndpoint.self, forKey: .to)
    }

    /// The most bytes read from a profile (1 MiB); more is a usage error.
    public static let maxBytes = 1 << 20

    /// Reads a profile (a regular file or a FIFO, at most ``maxBytes``); its relative file names become relative
    /// to its folder.
    public static func load(path: String) throws(PipelineError) -> MigrationProfile {
        let data: Data
        switch BoundedFile.read(path, limit: maxBytes, followLinks: true, allowFIFO: true) {
        case .success(let bytes): data = Data(bytes)
        case .failure(let failure): throw PipelineError(.input, "cannot read the profile \(path): \(failure.message)")
        }
        let profile: MigrationProfile
        do {
            profile = try JSONDecoder().decode(MigrationProfile.self, from: data)
        } catch {
            throw PipelineError(.usage, "the profile \(path) cannot be read: \(Self.describe(error))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return MigrationProfile(
            from: profile.from?.resolvingFiles(relativeTo: folder), to: profile.to?.resolvingFiles(relativeTo: folder))
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "it is not JSON" }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
            .keyNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            let detail = context.underlyingError == nil ? context.debugDescription : "it is not JSON"
            return path.isEmpty ? detail : "\(path): \(detail)"
        @unknown default:
            return "it is not a profile"
        }
    }
}
