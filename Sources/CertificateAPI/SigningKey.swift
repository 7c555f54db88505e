import Crypto

/// A secret key that signs and verifies shared access signatures and bearer tokens.
///
/// The key is the UTF-8 bytes of the secret text, as the contract says. It never shows itself: its description,
/// debug description and mirror say `<redacted>`. It is deliberately not `Equatable`, so that no code compares
/// secrets with a comparison that is not constant-time.
public struct SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    // Bytes rather than a `SymmetricKey`: swift-crypto 3 does not mark `SymmetricKey` `Sendable` on Linux.
    private let bytes: [UInt8]

    /// Makes a key from secret text (its UTF-8 bytes).
    public init(_ secret: String) {
        bytes = Array(secret.utf8)
    }

    /// Makes a key from raw bytes.
    public init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// `SigningKey(<redacted>)`.
    public var description: String { "SigningKey(<redacted>)" }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secret.
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// The two keys of one shared access identifier: the service accepts a signature made with either, so that keys
/// can be rotated without a gap.
public struct SharedAccessKeyPair: Sendable, CustomStringConvertible {
    /// The primary key.
    public let primary: SigningKey
    /// The secondary key, when one is configured.
    public let secondary: SigningKey?

    /// Makes a pair.
    public init(primary: SigningKey, secondary: SigningKey? = nil) {
        self.primary = primary
        self.secondary = secondary
    }

    /// Makes a pair from secret texts.
    public init(primary: String, secondary: String? = nil) {
        self.init(primary: SigningKey(primary), secondary: secondary.map(SigningKey.init))
    }

    /// Says whether there is a secondary key, never the keys.
    public var description: String {
        "SharedAccessKeyPair(primary: <redacted>, secondary: \(secondary == nil ? "none" : "<redacted>"))"
    }
}
