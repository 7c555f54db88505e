/// What the inspect stage works on: one item, or a certificate and its private key found side by side
/// (`x.crt` + `x.key`), which are normalised together into one PKCS#12.
public enum DropUnit: Sendable {
    case single(DropItem)
    /// A certificate and the key found beside it, to be normalised into one PKCS#12 (reported as the certificate).
    case pemPair(certificate: DropItem, key: DropItem)
    /// The key of a pair, reported in its own place in the order as `ignored` with `paired`.
    case pairedKey(DropItem, certificateSource: String)
}

/// Pairs `x.crt`/`x.cer`/`x.pem`/`x.der` with `x.key` when they stand side by side, in the stream of items.
///
/// Sources arrive sorted, so every name that shares the prefix `dir/x.` arrives in one run; inside an archive the
/// run is the archive's order. A run with exactly one key (without a certificate) pairs it with the run's first
/// certificate (without a key); anything else passes through unchanged. It holds one run at a time, and a
/// bounded one: a run that grows past ``maxRunItems`` items or ``maxRunBytes`` bytes is emitted unpaired at once,
/// and the rest of it passes straight through, so a drop of many names sharing one stem (`x.1.crt`, `x.2.crt`,
/// …) holds no more than that waiting for a partner.
public struct BundleGrouper {
    /// The most items held waiting for a partner.
    public static let maxRunItems = 8
    /// The most bytes held waiting for a partner.
    public static let maxRunBytes = 32 << 20

    private var run: [DropItem] = []
    private var runBytes = 0
    private var runKey: String?
    /// The key of a run that outgrew the bounds: its later items pass through unpaired.
    private var overflowedKey: String?
    private let maxItems: Int
    private let maxBytes: Int

    /// An empty grouper; the bounds are injectable for tests.
    public init(maxItems: Int = BundleGrouper.maxRunItems, maxBytes: Int = BundleGrouper.maxRunBytes) {
        self.maxItems = max(1, maxItems)
        self.maxBytes = max(0, maxBytes)
    }

    /// How many items are held, waiting for the run to end.
    public var heldCount: Int { run.count }

    /// Feeds one item; emits whatever is complete.
    public mutating func add(_ item: DropItem, emit: (DropUnit) -> Void) {
        let key = Self.groupKey(item.source)
        if key == nil || key != runKey { flush(emit: emit) }
        guard let key, key != overflowedKey else {
            emit(.single(item))
            return
        }
        let size = if case .success(let bytes) = item.content { bytes.count } else { 0 }
        if run.count >= maxItems || size > maxBytes - runBytes {
            // Too much for a pair: everything held goes out as it is, and so does the rest of the run.
            run.forEach { emit(.single($0)) }
            emit(.single(item))
            run.removeAll()
            runBytes = 0
            runKey = key
            overflowedKey = key
            return
        }
        runKey = key
        run.append(item)
        runBytes += size
    }

    /// Emits the last run.
    public mutating func flush(emit: (DropUnit) -> Void) {
        defer {
            run.removeAll()
            runBytes = 0
            runKey = nil
            overflowedKey = nil
        }
        guard run.count >= 2 else {
            run.forEach { emit(.single($0)) }
            return
        }
        let certificates = run.indices.filter { PEMShape(run[$0]) == .certificateOnly }
        let keys = run.indices.filter { PEMShape(run[$0]) == .keyOnly }
        guard !certificates.isEmpty, keys.count == 1 else {
            run.forEach { emit(.single($0)) }
            return
        }
        let certificate = run[certificates[0]]
        for index in run.indices {
            if index == certificates[0] {
                emit(.pemPair(certificate: certificate, key: run[keys[0]]))
            } else if index == keys[0] {
                emit(.pairedKey(run[index], certificateSource: certificate.source))
            } else {
                emit(.single(run[index]))
            }
        }
    }

    /// File names that may hold one half of a pair.
    static let pairExtensions: Set<String> = ["crt", "cer", "pem", "der", "key"]

    /// `dir/x` for `dir/x.crt` (the name up to the first dot of the last component), for pairable names only.
    static func groupKey(_ source: String) -> String? {
        guard pairExtensions.contains(Inspector.fileExtension(of: source)) else { return nil }
        let last = PasswordBook.lastComponent(of: source)
        guard let dot = last.firstIndex(of: "."), dot > last.startIndex else { return nil }
        return String(source.dropLast(last.count)) + last[..<dot]
    }
}

/// What a PEM or DER item holds, told by markers rather than by parsing.
enum PEMShape: Equatable {
    case certificateOnly, keyOnly, both, neither

    init(_ item: DropItem) {
        guard case .success(let bytes) = item.content else {
            self = .neither
            return
        }
        switch ContentKind(sniffing: bytes) {
        case .derCertificate:
            self = .certificateOnly
        case .pem:
            let text = String(decoding: bytes.prefix(1 << 20), as: UTF8.self)
            let certificate = text.contains("-----BEGIN CERTIFICATE-----")
            let key = text.contains("PRIVATE KEY-----")
            self = certificate ? (key ? .both : .certificateOnly) : (key ? .keyOnly : .neither)
        default:
            self = .neither
        }
    }
}
