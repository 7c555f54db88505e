import CertificateAPI
import Foundation

/// The caps the client puts on what a service may make it do.
public struct ClientLimits: Sendable, Hashable {
    /// The most pages one list follows through `nextLink`, the first included (default 10,000); one more is the
    /// error `too-many-pages`.
    public var maxPages: Int
    /// The most redirects one `GET` or `HEAD` follows (default 5); one more is the error `too-many-redirects`.
    public var maxRedirects: Int

    /// Makes limits; values below the least sensible (one page, no redirect) are raised to it.
    public init(maxPages: Int = 10_000, maxRedirects: Int = 5) {
        self.maxPages = max(1, maxPages)
        self.maxRedirects = max(0, maxRedirects)
    }
}

/// The scheme, host and port of a URL: requests, links and redirects may only go where the configured service is.
struct ServiceOrigin: Hashable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
    }

    init?(_ url: String) {
        guard let parsed = URL(string: url) else { return nil }
        self.init(parsed)
    }

    var description: String { "\(scheme)://\(host):\(port)" }
}

extension ServiceTarget {
    /// The origin of the configured service.
    var origin: ServiceOrigin? { ServiceOrigin(baseURL) }

    /// The path a `nextLink` must stay under: the base URL's path (legacy), or the service's resource path (ARM).
    var linkRoot: String {
        let basePath = URLComponents(string: baseURL)?.percentEncodedPath ?? ""
        var root = basePath + (scope?.servicePath ?? "")
        while root.hasSuffix("/") { root.removeLast() }
        return root
    }

    /// The absolute URL `link` (absolute, or relative to the page `page` it came from) names, when it stays with the
    /// configured service: the same scheme, host and port (so https is never downgraded), no user name, and a path
    /// under ``linkRoot`` without dot segments (ARM paths compared without case, as ARM does).
    /// - Throws: `untrusted-next-link`, and nothing has been sent there.
    func trustedNextLink(_ link: String, from page: String) throws(ClientError) -> String {
        guard let base = URL(string: page), let url = URL(string: link, relativeTo: base)?.absoluteURL,
            let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else {
            throw ClientError.untrustedNextLink("the service's nextLink is not a URL; it was not followed")
        }
        guard let origin, let linkOrigin = ServiceOrigin(url) else {
            throw ClientError.untrustedNextLink("the service's nextLink is not an http(s) URL; it was not followed")
        }
        guard linkOrigin == origin else {
            let why =
                linkOrigin.host == origin.host && origin.scheme == "https" && linkOrigin.scheme == "http"
                ? "would downgrade https to http" : "points to \(linkOrigin), not to the service at \(origin)"
            throw ClientError.untrustedNextLink("the service's nextLink \(why); it was not followed")
        }
        guard components.user == nil, components.password == nil else {
            throw ClientError.untrustedNextLink("the service's nextLink carries a user name; it was not followed")
        }
        let path = components.percentEncodedPath
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        let fold: (String) -> String = { dialect == .arm ? $0.lowercased() : $0 }
        let root = fold(linkRoot)
        let folded = fold(path)
        guard !segments.contains("."), !segments.contains(".."),
            root.isEmpty || folded == root || folded.hasPrefix(root + "/")
        else {
            throw ClientError.untrustedNextLink(
                "the service's nextLink leaves the service's path \(linkRoot.isEmpty ? "/" : linkRoot); "
                    + "it was not followed")
        }
        return url.absoluteString
    }

    /// The absolute URL a `Location` header names, relative to `current`, when it has the service's origin.
    /// - Throws: `untrusted-redirect`, and nothing has been sent there.
    func trustedRedirect(_ location: String, from current: String, status: Int) throws(ClientError) -> String {
        guard let base = URL(string: current), let url = URL(string: location, relativeTo: base)?.absoluteURL,
            let target = ServiceOrigin(url), let origin
        else {
            throw ClientError.untrustedRedirect("the service answered \(status) with a Location that is not a URL")
        }
        guard target == origin else {
            throw ClientError.untrustedRedirect(
                "the service answered \(status) with a redirect to \(target), not to the service at \(origin); "
                    + "it was not followed")
        }
        guard URLComponents(url: url, resolvingAgainstBaseURL: false)?.user == nil else {
            throw ClientError.untrustedRedirect("the service answered \(status) with a redirect with a user name")
        }
        return url.absoluteString
    }
}
