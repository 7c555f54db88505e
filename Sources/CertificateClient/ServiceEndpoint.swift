import CertificateAPI
import Foundation

/// One service instance as `diff`, `migrate` and `verify` name it: where it is, in which dialect, and where its
/// credentials come from. It names files and commands only, never a secret, so that a profile holding it can be
/// shared and a command line that builds it shows no secret to other users.
///
/// ```json
/// { "service": "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME",
///   "tokenCommand": "az account get-access-token --query accessToken -o tsv" }
/// { "service": "https://old.management.azure-api.net", "sasId": "integration", "sasKeyFile": "old.key" }
/// ```
///
/// The dialect follows from the URL: one whose path names an API Management service
/// (`/subscriptions/…/providers/Microsoft.ApiManagement/service/NAME`) is ARM, any other legacy; `dialect` says so
/// outright, and `subscription`, `resourceGroup` and `instance` give the ARM scope when the URL does not.
public struct ServiceEndpoint: Sendable, Hashable, Codable {
    /// The base URL (legacy), or the ARM management endpoint, best with the service's resource path.
    public var service: String?
    /// `legacy` or `arm`; inferred from ``service`` when absent.
    public var dialect: Dialect?
    /// ARM: the subscription id, when the URL does not name it.
    public var subscription: String?
    /// ARM: the resource group, when the URL does not name it.
    public var resourceGroup: String?
    /// ARM: the API Management service's name, when the URL does not name it.
    public var instance: String?
    /// The api-version sent (default: the dialect's newest).
    public var apiVersion: String?
    /// Legacy: the access identifier signatures are minted for (a CertDrop key file names its own).
    public var sasId: String?
    /// A key file: a bare shared access key (with ``sasId``) or a CertDrop service's key file, which also mints
    /// that service's ARM bearer tokens.
    public var sasKeyFile: String?
    /// A file holding a token: a shared access signature (legacy) or a bearer token (ARM).
    public var tokenFile: String?
    /// ARM: a command that prints a bearer token.
    public var tokenCommand: String?
    /// A PEM CA to trust besides the system's.
    public var caFile: String?
    /// Use a key file that other users can read or write (`--allow-insecure-key-file`); a command-line choice,
    /// never read from a profile.
    public var allowInsecureKeyFile = false

    /// An endpoint with nothing set.
    public init(
        service: String? = nil, dialect: Dialect? = nil, subscription: String? = nil, resourceGroup: String? = nil,
        instance: String? = nil, apiVersion: String? = nil, sasId: String? = nil, sasKeyFile: String? = nil,
        tokenFile: String? = nil, tokenCommand: String? = nil, caFile: String? = nil
    ) {
        self.service = service
        self.dialect = dialect
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.instance = instance
        self.apiVersion = apiVersion
        self.sasId = sasId
        self.sasKeyFile = sasKeyFile
        self.tokenFile = tokenFile
        self.tokenCommand = tokenCommand
        self.caFile = caFile
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case service, dialect, subscription, resourceGroup, instance, apiVersion, sasId, sasKeyFile, tokenFile
        case tokenCommand, caFile
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes an endpoint; a member it does not know is an error (a typo must not drop a setting silently), and
    /// so is a secret written into it.
    public init(from decoder: any Decoder) throws {
        let names = Set(CodingKeys.allCases.map(\.stringValue))
        for key in try decoder.container(keyedBy: AnyKey.self).allKeys where !names.contains(key.stringValue) {
            let hint =
                ["key", "sasKey", "token", "password", "primaryKey"].contains(key.stringValue)
                ? " (a profile names files, never secrets: use sasKeyFile or tokenFile)" : ""
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath + [key], debugDescription: "unknown member\(hint)"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decodeIfPresent(String.self, forKey: .service)
        dialect = try container.decodeIfPresent(Dialect.self, forKey: .dialect)
        subscription = try container.decodeIfPresent(String.self, forKey: .subscription)
        resourceGroup = try container.decodeIfPresent(String.self, forKey: .resourceGroup)
        instance = try container.decodeIfPresent(String.self, forKey: .instance)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        sasId = try container.decodeIfPresent(String.self, forKey: .sasId)
        sasKeyFile = try container.decodeIfPresent(String.self, forKey: .sasKeyFile)
        tokenFile = try container.decodeIfPresent(String.self, forKey: .tokenFile)
        tokenCommand = try container.decodeIfPresent(String.self, forKey: .tokenCommand)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
    }

    /// This endpoint with the command line's settings on top: a URL replaces the service (and the ARM scope, when
    /// it names one); a credential replaces every credential the profile gave.
    public func overriding(
        service newService: String?, dialect newDialect: Dialect?, sasKeyFile newKeyFile: String?,
        tokenFile newTokenFile: String?
    ) -> ServiceEndpoint {
        var result = self
        if let newService {
            result.service = newService
            if Self.scope(inPath: newService) != nil {
                result.subscription = nil
                result.resourceGroup = nil
                result.instance = nil
            }
        }
        if let newDialect { result.dialect = newDialect }
        if newKeyFile != nil || newTokenFile != nil {
            result.sasKeyFile = newKeyFile
            result.tokenFile = newTokenFile
            result.tokenCommand = nil
        }
        return result
    }

    /// Relative file names made relative to `folder` (a profile's own folder).
    package func resolvingFiles(relativeTo folder: String) -> ServiceEndpoint {
        func resolve(_ path: String?) -> String? {
            guard let path, !path.hasPrefix("/") else { return path }
            return URL(fileURLWithPath: folder).appendingPathComponent(path).standardized.path
        }
        var result = self
        result.sasKeyFile = resolve(sasKeyFile)
        result.tokenFile = resolve(tokenFile)
        result.caFile = resolve(caFile)
        return result
    }

    /// The target this endpoint names. `role` (`--from`, `--to`) goes into messages.
    public func target(role: String) throws(ClientError) -> ServiceTarget {
        guard let service, !service.isEmpty else {
            throw ClientError.usage("no service URL for \(role): give \(role) URL or a profile that names one")
        }
        guard let components = URLComponents(string: service), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            throw ClientError.usage("\(role): \(service) is not an http or https URL")
        }
        let pathScope = Self.scope(inPath: service)
        let fieldScope: ARMServiceScope? =
            if let subscription, let resourceGroup, let instance {
                ARMServiceScope(subscriptionId: subscription, resourceGroupName: resourceGroup, serviceName: instance)
            } else { nil }
        if pathScope == nil, subscription != nil || resourceGroup != nil || instance != nil, fieldScope == nil {
            throw ClientError.usage("\(role): give subscription, resourceGroup and instance together")
        }
        let resolvedDialect = dialect ?? (pathScope != nil || fieldScope != nil ? .arm : .legacy)
        if let apiVersion, !resolvedDialect.supports(apiVersion: apiVersion) {
            throw ClientError.usage(
                "\(role): api-version \(apiVersion) is not one of the \(resolvedDialect.rawValue) dialect's")
        }
        switch resolvedDialect {
        case .legacy:
            guard pathScope == nil, fieldScope == nil else {
                throw ClientError.usage("\(role): an ARM service's resource path cannot be read as legacy")
            }
            return .legacy(baseURL: service, apiVersion: apiVersion ?? Dialect.legacy.defaultAPIVersion)
        case .arm:
            guard let scope = pathScope?.scope ?? fieldScope else {
                throw ClientError.usage(
                    "\(role): the arm dialect needs the service's resource path in the URL "
                        + "(…/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME) "
                        + "or subscription, resourceGroup and instance in the profile")
            }
            if let pathScope, let fieldScope, pathScope.scope != fieldScope {
                throw ClientError.usage("\(role): the URL and the profile name different ARM services")
            }
            let base = pathScope?.base ?? service
            return .arm(baseURL: base, scope: scope, apiVersion: apiVersion ?? Dialect.arm.defaultAPIVersion)
        }
    }

    /// The credentials this endpoint names for `target`'s dialect: exactly one source.
    public func credentials(for target: ServiceTarget, role: String) throws(ClientError) -> any CredentialProvider {
        try credentialSource(for: target, role: role).provider(
            for: target.dialect, role: role, allowInsecureKeyFile: allowInsecureKeyFile)
    }

    /// The one credential source this endpoint names for `target`'s dialect.
    /// - Throws: ``ClientError/Code/usage`` when it names none, or more than one.
    public func credentialSource(for target: ServiceTarget, role: String) throws(ClientError) -> CredentialSource {
        let given = [sasKeyFile != nil, tokenFile != nil, tokenCommand != nil].filter { $0 }.count
        guard given == 1 else {
            let choices =
                target.dialect == .legacy
                ? "\(role)-sas-key-file or \(role)-token-file (or sasKeyFile / tokenFile in the profile)"
                : "\(role)-token-file or \(role)-sas-key-file (or tokenFile, tokenCommand / sasKeyFile in the profile)"
            throw ClientError.usage(
                given == 0 ? "\(role) needs credentials: \(choices)" : "\(role): give one credential, not \(given)")
        }
        if let tokenFile { return .tokenFile(tokenFile) }
        if let tokenCommand { return .tokenCommand(tokenCommand) }
        guard let sasKeyFile else { throw ClientError.usage("\(role) needs credentials") }
        return .keyFile(
            sasKeyFile, identifier: sasId,
            bareKeyHint: "\(role): a bare key file needs sasId in the profile (a CertDrop key file names it)")
    }

    /// The ARM scope a URL's path names, and the URL before it: `https://host/subscriptions/S/resourceGroups/RG/
    /// providers/Microsoft.ApiManagement/service/NAME[/certificates]`.
    static func scope(inPath url: String) -> (base: String, scope: ARMServiceScope)? {
        guard let components = URLComponents(string: url) else { return nil }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let start = segments.firstIndex(where: { $0.lowercased() == "subscriptions" }),
            segments.count >= start + 8
        else { return nil }
        let part = Array(segments[start..<(start + 8)])
        guard part[2].lowercased() == "resourcegroups", part[4].lowercased() == "providers",
            part[5].lowercased() == "microsoft.apimanagement", part[6].lowercased() == "service"
        else { return nil }
        let rest = segments[(start + 8)...]
        guard rest.isEmpty || rest.map({ $0.lowercased() }) == ["certificates"] else { return nil }
        var base = components
        base.path = segments[..<start].isEmpty ? "" : "/" + segments[..<start].joined(separator: "/")
        base.query = nil
        base.fragment = nil
        guard let baseURL = base.string else { return nil }
        return (
            baseURL,
            ARMServiceScope(subscriptionId: part[1], resourceGroupName: part[3], serviceName: part[7])
        )
    }
}
