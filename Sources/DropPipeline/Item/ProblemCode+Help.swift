/// The help text of every problem code: the one source of truth for the README's "Problem codes" table (a test
/// checks that the two agree) and for the rules of a SARIF report.
extension ProblemCode {
    /// What the code means, as the README's table says it (Markdown: options in backticks).
    public var help: String {
        switch self {
        case .wrongPassword: "the MAC does not verify (or, without a MAC, nothing decrypts) with any candidate"
        case .notPKCS12: "a `.pfx`/`.p12` whose content is not PKCS#12"
        case .corrupt:
            "PKCS#12 that cannot be read whole (truncated, damaged), or whose MAC verifies but contents do not decrypt"
        case .unsupportedAlgorithm: "an algorithm OpenSSL cannot use (or the legacy provider is missing)"
        case .iterationLimit:
            "a key derivation asks for more iterations than `--max-iterations` (MAC, PBES1 and PBES2 bags, encrypted PEM/PKCS#8 keys; scrypt counts N·r·p); refused before anything is derived"
        case .unsupportedFormat:
            "well-formed PKCS#12 holding a structure OpenSSL 3.0 cannot read, for instance a PKCS#8 v2 (RFC 5958) key as BouncyCastle writes for Ed25519; the message says what and how to re-export"
        case .tooManyBags: "the file holds more safe bags than the per-file cap (10,000)"
        case .tooManyCertificates: "the file holds more certificates than the per-file cap (1,000)"
        case .tooManyDerivations:
            "opening the file would take more key derivations, over every candidate password, than the per-file cap (256)"
        case .unreadable: "the file or folder cannot be read"
        case .tooLarge: "a file or archive entry over `--max-entry-bytes` (10 MiB), not read"
        case .noCertificate: "the file holds no certificate"
        case .noPrivateKey: "a certificate without its private key (cannot be uploaded)"
        case .keyMismatch: "no certificate in the file matches the private key"
        case .expired: "notAfter is in the past"
        case .notYetValid: "notBefore is in the future"
        case .duplicate: "the same leaf certificate as an earlier source (the message names it)"
        case .invalidID: "the id made by `--id-template` breaks the id rule"
        case .duplicateID: "an earlier source already takes the same id (ids compare without case)"
        case .expiredChainCertificate:
            "a CA certificate on the leaf's path (from the file, `--ca-file` or the system store) has expired or is not yet valid; the message names it"
        case .chainSignature:
            "a certificate on the leaf's path does not verify against its issuer's key (a forged or damaged certificate, or an issuer with the right name and the wrong key)"
        case .invalidChain:
            "OpenSSL refuses the leaf's path for another reason, for instance a CA certificate that is not a CA or a path over 100 certificates; the message gives OpenSSL's reason"
        case .unrecognised: "with `--strict`: a file that is not a certificate"
        case .unsafePath:
            "an archive entry whose name is absolute or climbs out, or (with `--follow-symlinks`) a link in a drop that leads outside the path given; not read"
        case .unsafeEntry:
            "an archive entry or a drop entry that is a link, FIFO, socket, device or anything but a regular file; not read"
        case .encryptedEntry: "an encrypted archive entry and no archive password that opens it"
        case .corruptArchive: "the part of an archive that could not be read"
        case .archiveTooLarge: "the archive's entries add up to more than `--max-archive-bytes`"
        case .tooManyEntries: "the archive has more than `--max-entries` entries"
        case .nestingLimit: "an archive nested deeper than `--max-depth`"
        case .expiringSoon:
            "the leaf, or a CA certificate on its path (the message names which), expires within `--min-days`"
        case .weakKey: "RSA or DSA under 2048 bits, EC under 256"
        case .weakSignature: "signed with MD5 or SHA-1"
        case .legacyEncryption: "RC2, RC4 or single DES: needs OpenSSL's legacy provider, and many targets refuse it"
        case .noMAC: "no integrity MAC"
        case .unprotected: "neither a MAC nor encryption"
        case .emptyPassword: "the password is empty"
        case .unencryptedKey: "the private key is stored in a plain key bag"
        case .multipleKeys: "more than one private key; only the first (and its certificate) is used"
        case .incompleteChain:
            "the file does not carry the leaf's path to a self-signed root or to a trusted certificate (`--ca-file`, `--trust system`); the message names the missing issuer"
        case .unrelatedCertificate: "a certificate in the file that is on no path of the leaf"
        case .untrustedRoot:
            "with `--ca-file` or `--trust system`: the leaf's path ends in a self-signed root (or the self-signed leaf itself) that neither trusts"
        case .targetIncompatible:
            "a `--target` cannot read the file (its encryption, PRF, MAC, iteration count or key type); the message names the target, what it cannot read and the fix"
        case .keyUsage:
            "keyUsage or extendedKeyUsage forbids the use `--usage` names (server or client; `--target public-tls` means server)"
        case .longValidity:
            "with `--target public-tls`: a validity period (notAfter − notBefore + 1 s) over the CA/Browser Forum maximum for its notBefore (398 days from 2020-09-01, 200 from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15)"
        case .noSubjectAltName:
            "with `--usage server`, `--target public-tls` or `--target macos`: a server certificate (EKU serverAuth, or no EKU, and not a CA) without subjectAltName"
        case .passwordWhitespace:
            "the password that opened the file has leading or trailing whitespace (space, tab, CR, LF, BOM), or the file opened only with it removed; the message names the password's source"
        case .nonASCIIPassword: "the password that opened the file is not ASCII (consumers encode it differently)"
        case .selfSigned: "the certificate verifies with its own key (`--deny-self-signed` makes it an error)"
        case .paired: "a key file normalised together with the certificate beside it"
        case .reencrypted: "with `--reencrypt auto`: re-exported in an encryption every `--target` reads before upload"
        }
    }

    /// ``help`` without Markdown, for viewers that show plain text.
    public var plainHelp: String { help.replacingOccurrences(of: "`", with: "") }
}
