internal import COpenSSL

/// Bytes of a password, held outside Swift's copy-on-write storage and wiped with `OPENSSL_cleanse` when released.
///
/// `@unchecked Sendable`: the buffer is written only in the initialiser and read-only afterwards.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// Copies `bytes` into wiped storage. The caller should wipe its own copy.
    public init(_ bytes: some Collection<UInt8>) {
        buffer = .allocate(capacity: Swift.max(bytes.count, 1))
        buffer.initialize(repeating: 0)
        _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count]).initialize(from: bytes)
        count = bytes.count
    }

    /// Copies the UTF-8 bytes of `text`.
    public convenience init(utf8 text: String) {
        var bytes = Array(text.utf8)
        self.init(bytes)
        SecretBytes.wipe(&bytes)
    }

    deinit {
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
        buffer.deallocate()
    }

    /// The number of bytes.
    public let count: Int

    /// Whether the secret is the empty string.
    public var isEmpty: Bool { count == 0 }

    /// Calls `body` with the bytes; the pointer must not escape.
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Wipes an array in place (best effort: copies Swift made earlier are out of reach).
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        bytes.removeAll()
    }

    /// Whether two secrets hold the same bytes (constant time for equal lengths).
    public func isEqual(to other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withBytes { mine in
            other.withBytes { theirs in
                CRYPTO_memcmp(mine.baseAddress, theirs.baseAddress, count) == 0
            }
        }
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the bytes.
    public var description: String { "SecretBytes(\(count) bytes)" }
    /// Never the bytes.
    public var debugDescription: String { description }
}
