import Foundation
import PKCS12Kit

/// Which certificates, besides a CA bundle, a leaf's path may end in (`--trust`).
public enum TrustSelection: String, Sendable, Hashable, CaseIterable {
    /// Only `--ca-file` (when given); without it, no trust store: a path is complete at a self-signed root.
    case none
    /// Also the machine's trust store (OpenSSL's default paths).
    case system
}

/// Where trusted certificates come from: `--ca-file F` and `--trust system|none`.
public struct TrustSources: Sendable {
    /// The most bytes read from a `--ca-file`.
    public static let maxCAFileBytes = 32 << 20

    /// A PEM bundle of trusted certificates (or one DER certificate).
    public var caFile: String?
    /// Whether the system store is used too.
    public var selection: TrustSelection
    /// Where the system store is read from; OpenSSL's default paths unless a test says otherwise.
    public var system: SystemTrust

    /// Makes the sources.
    public init(caFile: String? = nil, selection: TrustSelection = .none, system: SystemTrust = .openSSLDefaults) {
        self.caFile = caFile
        self.selection = selection
        self.system = system
    }

    /// The trust store, `nil` when neither a CA file nor the system store is asked for.
    ///
    /// A `--ca-file` that is missing, not a regular file (a FIFO is accepted), over ``maxCAFileBytes``, empty, or
    /// holding anything but certificates (or more than ``TrustStore/maxCertificates``) is a usage error.
    public func load() throws(PipelineError) -> TrustStore? {
        guard caFile != nil || selection == .system else { return nil }
        var bundle: [UInt8]?
        if let caFile {
            let shown = DisplayText.escaped(caFile)
            switch BoundedFile.read(caFile, limit: Self.maxCAFileBytes, followLinks: true, allowFIFO: true) {
            case .failure(let failure):
                throw PipelineError(.usage, "cannot read the --ca-file file \(shown): \(failure.message)")
            case .success(let bytes) where bytes.isEmpty:
                throw PipelineError(.usage, "the --ca-file file \(shown) is empty")
            case .success(let bytes):
                bundle = bytes
            }
        }
        do {
            return try TrustStore(caBundle: bundle, system: selection == .system ? system : nil)
        } catch {
            let what =
                error.code == .noSystemStore
                ? "--trust system" : "the --ca-file file \(DisplayText.escaped(caFile ?? ""))"
            throw PipelineError(.usage, "\(what): \(DisplayText.escaped(error.message))")
        }
    }
}
