internal import COpenSSL
import Foundation

/// Options for opening a PKCS#12 file: the per-file budget. Each cap is counted in work done (derivations asked
/// for, bags and certificates read), never taken from what a header declares.
public struct PKCS12Options: Sendable, Hashable {
    /// The most iterations any one key derivation may ask for; a file over it is refused before any derivation.
    public var maxIterations: Int
    /// Whether the empty password (as NULL, then "") is tried after the given candidates.
    public var tryEmptyPassword: Bool
    /// The most safe bags read from one file, nested bags included.
    public var maxBags: Int
    /// The most certificates one file may hold.
    public var maxCertificates: Int
    /// The most key derivations (MAC checks and decryptions, over every candidate password) one file may cost.
    public var maxDerivations: Int

    /// The default cap on safe bags.
    public static let defaultMaxBags = 10_000
    /// The default cap on certificates.
    public static let defaultMaxCertificates = 1_000
    /// The default cap on key derivations.
    public static let defaultMaxDerivations = 256

    /// Makes options; the defaults suit untrusted input.
    public init(
        maxIterations: Int = 1_000_000, tryEmptyPassword: Bool = true, maxBags: Int = Self.defaultMaxBags,
        maxCertificates: Int = Self.defaultMaxCertificates, maxDerivations: Int = Self.defaultMaxDerivations
    ) {
        self.maxIterations = maxIterations
        self.tryEmptyPassword = tryEmptyPassword
        self.maxBags = maxBags
        self.maxCertificates = maxCertificates
        self.maxDerivations = maxDerivations
    }
}

/// An opened PKCS#12 file: its facts, and the keys and certificates it holds for re-export.
///
/// `@unchecked Sendable`: every stored property is immutable and the OpenSSL objects are only read.
public final class PKCS12Bundle: @unchecked Sendable {
    /// The leaf certificate's facts, `nil` when the file holds no certificate.
    public let certificate: CertificateFacts?
    /// The other certificates in the file, in file order.
    public let chain: [ChainCertificate]
    /// How the file is protected and what it holds.
    public let pkcs12: PKCS12Facts
    /// The candidate that opened the file (empty for an unprotected file or the implicit empty password), for
    /// sending on with the file. Never print it.
    public let password: SecretBytes

    let leaf: X509Certificate?
    let key: PrivateKey?
    let others: [X509Certificate]

    init(
        certificate: CertificateFacts?, chain: [ChainCertificate], pkcs12: PKCS12Facts, leaf: X509Certificate?,
        key: PrivateKey?, others: [X509Certificate], password: SecretBytes
    ) {
        self.password = password
        self.certificate = certificate
        self.chain = chain
        self.pkcs12 = pkcs12
        self.leaf = leaf
        self.key = key
        self.others = others
    }

    /// Opens `bytes` with the first of `passwords` that works.
    ///
    /// Throws ``PKCS12Error`` telling a wrong password apart from corrupt data, an unsupported algorithm, a file
    /// that is not PKCS#12 at all, and a key derivation over the cost cap. Files without a MAC open (OpenSSL 3.0's
    /// `PKCS12_parse` refuses them); files with neither MAC nor encryption open with any password.
    public static func open(
        _ bytes: [UInt8], passwords: [SecretBytes], options: PKCS12Options = PKCS12Options()
    ) throws(PKCS12Error) -> PKCS12Bundle {
        OpenSSLRuntime.ensureLoaded()
        var candidates = passwords
        if options.tryEmptyPassword, !passwords.contains(where: \.isEmpty) {
            candidates.append(SecretBytes([]))
        }
        let reader = try PKCS12Reader(bytes: bytes, options: options)
        let opened = try reader.open(candidates: candidates)
        let given = opened.candidate < passwords.count ? opened.candidate : nil
        let password = opened.candidate < candidates.count ? candidates[opened.candidate] : SecretBytes([])
        return assemble(opened.contents, reader: reader, candidate: given, password: password)
    }

    private static func assemble(
        _ contents: PKCS12Reader.Contents, reader: PKCS12Reader, candidate: Int?, password: SecretBytes
    ) -> PKCS12Bundle {
        let certificates = contents.certificates
        let keys = contents.keys

        // Pair the first key with a certificate: by localKeyID, then by public key.
        var leafIndex: Int?
        var keyMatches: Bool?
        if let first = keys.first {
            let byID = first.localKeyID.flatMap { id in certificates.firstIndex { $0.localKeyID == id } }
            if let byID, first.key.matches(certificates[byID].certificate) {
                leafIndex = byID
                keyMatches = true
            } else if let byKey = certificates.firstIndex(where: { first.key.matches($0.certificate) }) {
                leafIndex = byKey
                keyMatches = true
            } else {
                keyMatches = false
            }
        }
        if leafIndex == nil {
            leafIndex = endEntityIndex(certificates.map(\.certificate))
        }

        let leaf = leafIndex.map { certificates[$0] }
        let others = certificates.indices.filter { $0 != leafIndex }.map { certificates[$0].certificate }
        let protection = PKCS12Facts(
            macAlgorithm: reader.macAlgorithm,
            macIterations: reader.macIterations,
            certEncryption: certificates.isEmpty ? nil : contents.certEncryption.sortedDescription,
            keyEncryption: keys.isEmpty ? nil : contents.keyEncryption.sortedDescription,
            legacyEncryption: contents.legacy,
            hasPrivateKey: !keys.isEmpty,
            keyMatchesCertificate: keyMatches,
            privateKeys: keys.count,
            certificates: certificates.count,
            passwordCandidate: contents.protected ? candidate : nil,
            friendlyName: leaf?.friendlyName ?? keys.first?.friendlyName,
            unprotected: !contents.protected,
            emptyPassword: contents.protected && contents.emptyPassword,
            unencryptedKey: contents.protected && contents.plainKey,
            certSchemes: contents.certSchemes.sorted(),
            keySchemes: contents.keySchemes.sorted()
        )
        return PKCS12Bundle(
            certificate: leaf.flatMap { facts(of: $0.certificate) },
            chain: others.map { ChainCertificate(subject: $0.subject, thumbprint: $0.thumbprint) },
            pkcs12: protection,
            leaf: leaf?.certificate,
            key: keys.first?.key,
            others: others,
            password: password
        )
    }

    /// The certificate that issues no other in the file, preferring one that is not a CA.
    ///
    /// Linear in the number of certificates: candidates are found by name hash, and each certificate is checked
    /// against at most ``issuerChecks`` of them (`X509_check_issued`), so a file of many certificates with one
    /// name costs no more than a file of distinct ones.
    private static func endEntityIndex(_ certificates: [X509Certificate]) -> Int? {
        var byIssuer: [UInt: [Int]] = [:]
        for (index, certificate) in certificates.enumerated() {
            byIssuer[certificate.issuerNameHash, default: []].append(index)
        }
        let issuesNothing = certificates.indices.filter { index in
            let issued = byIssuer[certificates[index].subjectNameHash, default: []].lazy.filter { $0 != index }
            return !issued.prefix(issuerChecks).contains { certificates[index].issued(certificates[$0]) }
        }
        return issuesNothing.first { !certificates[$0].isCA } ?? issuesNothing.first ?? certificates.indices.first
    }

    /// How many same-named candidates one certificate is checked against as an issuer.
    static let issuerChecks = 16

    static func facts(of certificate: X509Certificate) -> CertificateFacts? {
        guard let notBefore = certificate.notBefore, let notAfter = certificate.notAfter else { return nil }
        let key = certificate.publicKeyDescription
        let signature = certificate.signature
        return CertificateFacts(
            thumbprint: certificate.thumbprint,
            sha256: certificate.sha256,
            subject: certificate.subject,
            commonName: certificate.commonName,
            issuer: certificate.issuer,
            serialNumber: certificate.serialNumber,
            notBefore: notBefore,
            expirationDate: notAfter,
            selfSigned: certificate.isSelfSigned,
            isCertificateAuthority: certificate.isCA,
            keyAlgorithm: key.algorithm,
            keyBits: key.bits,
            curve: key.curve,
            signatureAlgorithm: signature.name,
            weakSignature: signature.weakDigest,
            usage: certificate.usage
        )
    }
}

extension Set<String> {
    fileprivate var sortedDescription: String { isEmpty ? "none" : sorted().joined(separator: "; ") }
}
