import CertificateAPI
import Foundation

/// Where certificates go: a service instance in one of the two dialects.
public struct ServiceTarget: Sendable, Hashable {
    /// The service's base URL (`https://NAME.management.azure-api.net`, or the ARM management endpoint).
    public let baseURL: String
    /// The dialect spoken.
    public let dialect: Dialect
    /// The ARM scope (subscription, resource group, service name); `nil` for the legacy dialect.
    public let scope: ARMServiceScope?
    /// The api-version sent.
    public let apiVersion: String

    /// A legacy (`/certificates`) target.
    public static func legacy(baseURL: String, apiVersion: String = Dialect.legacy.defaultAPIVersion) -> ServiceTarget {
        ServiceTarget(baseURL: baseURL, dialect: .legacy, scope: nil, apiVersion: apiVersion)
    }

    /// An ARM target.
    public static func arm(baseURL: String, scope: ARMServiceScope, apiVersion: String = Dialect.arm.defaultAPIVersion)
        -> ServiceTarget
    {
        ServiceTarget(baseURL: baseURL, dialect: .arm, scope: scope, apiVersion: apiVersion)
    }

    private init(baseURL: String, dialect: Dialect, scope: ARMServiceScope?, apiVersion: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.dialect = dialect
        self.scope = scope
        self.apiVersion = apiVersion
    }

    /// The collection URL, without a query.
    public var collectionURL: String {
        if let scope { return baseURL + scope.collectionPath }
        return baseURL + "/certificates"
    }

    /// The URL of one certificate, the id percent-encoded as one path segment.
    public func entityURL(_ id: String) -> String {
        collectionURL + "/" + CollectionQuery.percentEncode(id) + "?api-version=" + apiVersion
    }

    /// The first page of the collection, optionally filtered.
    public func listURL(filter: String?, top: Int = 1000) -> String {
        var url = collectionURL + "?api-version=" + apiVersion + "&$top=\(top)"
        if let filter { url += "&$filter=" + CollectionQuery.percentEncode(filter) }
        return url
    }
}
