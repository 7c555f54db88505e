/// How ``ImportRun`` routes an item between the check and upload stages: the ids it goes under, the items held
/// back, and (for a dry run) what an upload does.
///
/// `import` uses ``byTemplate``: every valid item under the id its `--id-template` made. `migrate` gives an item the
/// source instance's ids for its certificate, and holds back what it must not upload (the Migration module's
/// `MigrationMatcher`).
/// Every function is called in source order on one thread, except ``upload`` and ``observe``, which run
/// concurrently.
public struct ImportRouting: Sendable {
    /// Why an item goes no further: the action its lines get and the reason.
    public struct Held: Sendable, Hashable {
        /// The action of the item's lines.
        public var action: ImportAction
        /// The code and message of the reason.
        public var reason: ManifestEntry.Failure

        /// Makes a hold.
        public init(_ action: ImportAction, code: String, message: String) {
            self.action = action
            self.reason = ManifestEntry.Failure(code: code, message: message)
        }
    }

    /// Gives an item the ids it is uploaded under, one manifest line each, before the duplicate checks (so that they
    /// see the id the item really takes). It may amend the report: its `id` (shown on an item that is not
    /// uploaded) and its problems.
    public var assignIDs: @Sendable (inout ItemReport) -> [String]
    /// Holds an item back after the checks (and `--allow`): `nil` lets it through to the usual handling (`invalid`
    /// with its errors, else the upload).
    public var filter: @Sendable (ItemReport) -> Held?
    /// Replaces the upload, for a run that must not write (a dry run decides against a listing); `nil` uploads.
    public var upload: (@Sendable (_ id: String, _ material: UploadMaterial) async -> Uploader.Outcome)?
    /// Sees every manifest line as it is written.
    public var observe: (@Sendable (ManifestEntry) -> Void)?

    /// Makes a routing.
    public init(
        assignIDs: @escaping @Sendable (inout ItemReport) -> [String],
        filter: @escaping @Sendable (ItemReport) -> Held? = { _ in nil },
        upload: (@Sendable (_ id: String, _ material: UploadMaterial) async -> Uploader.Outcome)? = nil,
        observe: (@Sendable (ManifestEntry) -> Void)? = nil
    ) {
        self.assignIDs = assignIDs
        self.filter = filter
        self.upload = upload
        self.observe = observe
    }

    /// `import`'s routing: each item under the id its template made, nothing held back.
    public static let byTemplate = ImportRouting(assignIDs: { report in report.id.map { [$0] } ?? [] })
}
