import CertificateAPI

/// The id rule the pipeline checks against: ARM's, the stricter of the two dialects, so an id that passes works
/// with either.
enum IDRule {
    /// Why `id` breaks the rule, or `nil` when it obeys it.
    static func violation(_ id: String) -> String? {
        do {
            try CertificateIdentifier.validate(id, dialect: .arm)
            return nil
        } catch {
            return error.message
        }
    }
}
