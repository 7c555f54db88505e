import HTTPTypes

/// The paths the service knows and the methods each allows, so that a request the router cannot place is told
/// apart: a known path with another method is `405` with `Allow`, anything else `404`.
///
/// Hummingbird's router answers both with one "not found"; this table makes the difference. The route tests check
/// that it agrees with the routes the router registers.
struct KnownRoute: Sendable {
    /// The path's segments; `nil` matches any one segment. Constant segments match ignoring ASCII case.
    let template: [String?]
    /// The methods the path allows, in the order `Allow` lists them.
    let methods: [HTTPRequest.Method]

    /// The ARM prefix, up to and including the service name.
    static let armService: [String?] = [
        "subscriptions", nil, "resourceGroups", nil, "providers", "Microsoft.ApiManagement", "service", nil,
    ]

    /// Every path of the service.
    static let all: [KnownRoute] = [
        KnownRoute(template: ["certificates"], methods: [.get]),
        KnownRoute(template: ["certificates", nil], methods: [.get, .head, .put, .delete]),
        KnownRoute(template: armService + ["certificates"], methods: [.get]),
        KnownRoute(template: armService + ["certificates", nil], methods: [.get, .head, .put, .delete]),
        KnownRoute(template: armService + ["certificates", nil, "refreshSecret"], methods: [.post]),
        KnownRoute(template: ["admin", "policy-references"], methods: [.get]),
        KnownRoute(template: ["admin", "policy-references", nil, nil], methods: [.put, .delete]),
        KnownRoute(template: ["admin", "stats"], methods: [.get, .delete]),
        KnownRoute(template: ["health"], methods: [.get]),
        KnownRoute(template: ["metrics"], methods: [.get]),
    ]

    /// The route whose template a raw request path fits, or `nil`.
    static func route(forPath path: String) -> KnownRoute? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return all.first { $0.matches(segments) }
    }

    /// The `Allow` header value: the methods joined by `, `.
    var allowHeader: String { methods.map(\.rawValue).joined(separator: ", ") }

    private func matches(_ segments: [Substring]) -> Bool {
        guard segments.count == template.count else { return false }
        for (segment, expected) in zip(segments, template) {
            if let expected, segment.lowercased() != expected.lowercased() { return false }
        }
        return true
    }
}
