import PKCS12Kit

/// A place PFX files go (`--target NAME`) and what it reads: one row of ``all``, each fact with its source.
///
/// The README's "Targets" table is made from these rows (a test checks that the two agree). A fact that no source
/// was found for says "not found; assumed" in its source and is the conservative guess.
public struct TargetProfile: Sendable, Hashable {
    /// The name `--target` takes.
    public let name: String
    /// What the name stands for.
    public let title: String
    /// The ciphers read under PBES1 (PKCS#12 PBEs), by OpenSSL short name; `nil` for any.
    public let pbes1Ciphers: Set<String>?
    /// The ciphers read under PBES2; `nil` for any, empty when PBES2 is not read at all.
    public let pbes2Ciphers: Set<String>?
    /// The PBKDF2 PRFs read under PBES2; `nil` for any.
    public let prfs: Set<String>?
    /// The MAC digests read (OpenSSL short names `SHA1`, `SHA256`, …); `nil` for any.
    public let macDigests: Set<String>?
    /// The most iterations any key derivation may ask for; `nil` when no limit is known.
    public let maxIterations: Int?
    /// The smallest RSA key read; `nil` when RSA keys are not read.
    public let rsaMinBits: Int?
    /// The EC curves read (OpenSSL names); `nil` for any, empty when EC keys are not read.
    public let curves: Set<String>?
    /// Whether Ed25519 keys are read.
    public let ed25519: Bool
    /// The use its certificates serve, which turns on `key-usage` and `no-subject-alt-name`; `nil` for none.
    public let usage: TLSUsage?
    /// Whether `long-validity` applies (publicly-trusted TLS).
    public let checksValidityPeriod: Bool
    /// Where each fact comes from: URLs of the sources, or "not found; assumed".
    public let sources: Sources
    /// How to re-export a file for this target with OpenSSL.
    public let opensslFix: String

    /// The sources of a row, one per column of the README table.
    public struct Sources: Sendable, Hashable {
        public let encryption: String
        public let mac: String
        public let iterations: String
        public let keys: String
    }

    /// The profile named `name`, if there is one.
    public static func named(_ name: String) -> TargetProfile? { all.first { $0.name == name } }

    /// Every profile, in the README's order.
    public static let all: [TargetProfile] = [windows2016, windows2019, macos, java8, apim, publicTLS]

    static let tripleDES = "DES-EDE3-CBC"
    static let pbes1Windows: Set<String> = [tripleDES, "RC2-40-CBC", "RC2-CBC"]
    static let aes: Set<String> = ["AES-128-CBC", "AES-192-CBC", "AES-256-CBC"]
    static let nistCurves: Set<String> = ["prime256v1", "secp384r1", "secp521r1"]
    static let legacyFix = "openssl pkcs12 -export -legacy"
    static let tripleDESFix = "openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1"

    static let windowsOld =
        "https://b1tsblog.org/post/tls-zertifikat-mit-sha3-256-cbc-auf-windows-server-2016-einspielen, "
        + "https://github.com/kaikramer/keystore-explorer/issues/384"
    static let windowsPBES2 =
        "https://learn.microsoft.com/en-us/windows/win32/api/wincrypt/ns-wincrypt-pkcs12_pbes2_export_params"

    /// Windows Server 2016 and older, Windows 10 before 1709: PKCS#12 v1 PBEs only.
    public static let windows2016 = TargetProfile(
        name: "windows-2016", title: "Windows Server 2016 and older (Windows 10 before 1709)",
        pbes1Ciphers: pbes1Windows, pbes2Ciphers: [], prfs: nil, macDigests: ["SHA1"], maxIterations: nil,
        rsaMinBits: 1024, curves: nistCurves, ed25519: false, usage: nil, checksValidityPeriod: false,
        sources: Sources(
            encryption: windowsOld + " (3DES reads; PBES2 fails with \"wrong password\"; RC2: not found; assumed)",
            mac: windowsPBES2
                + " (SHA-256 MacData arrives with AES256-SHA256 in 1709/2019; older: not found; assumed SHA-1 only)",
            iterations: "not found; assumed no limit",
            keys: "not found; assumed RSA ≥ 1024, EC P-256/P-384/P-521, no Ed25519"),
        opensslFix: legacyFix)

    /// Windows Server 2019 and newer, Windows 10 1709 and newer: adds PBES2 AES with SHA-256.
    public static let windows2019 = TargetProfile(
        name: "windows-2019", title: "Windows Server 2019 and newer (Windows 10 1709 and newer)",
        pbes1Ciphers: pbes1Windows, pbes2Ciphers: aes, prfs: ["hmacWithSHA1", "hmacWithSHA256"],
        macDigests: ["SHA1", "SHA256"], maxIterations: nil, rsaMinBits: 1024, curves: nistCurves, ed25519: false,
        usage: nil, checksValidityPeriod: false,
        sources: Sources(
            encryption: windowsPBES2
                + " (AES256-SHA256: minimum Windows 10 1709 / Server 2019; AES-128/192 and hmacWithSHA1: not found; assumed)",
            mac: windowsPBES2 + " (SHA256 for MacData)",
            iterations: "not found; assumed no limit",
            keys: "not found; assumed RSA ≥ 1024, EC P-256/P-384/P-521, no Ed25519"),
        opensslFix: tripleDESFix)

    /// The macOS Keychain (`security import`, `SecPKCS12Import`): PKCS#12 v1 PBEs and a SHA-1 MAC.
    public static let macos = TargetProfile(
        name: "macos", title: "macOS Keychain (security import, SecPKCS12Import)",
        pbes1Ciphers: pbes1Windows, pbes2Ciphers: [], prfs: nil, macDigests: ["SHA1"], maxIterations: nil,
        rsaMinBits: 2048, curves: nistCurves, ed25519: false, usage: .server, checksValidityPeriod: false,
        sources: Sources(
            encryption: "https://github.com/chris2511/xca/issues/474, https://github.com/openssl/openssl/issues/19871"
                + " (AES-256-CBC fails as \"invalid password\"; -legacy imports; macOS 26 reads AES with"
                + " `security import -f pkcs12`: https://github.com/tauri-apps/tauri/pull/15844)",
            mac: "https://github.com/ruby/openssl/issues/654 (a SHA-256 MAC fails; SHA-1 imports)",
            iterations: "not found; assumed no limit",
            keys:
                "not found; assumed RSA ≥ 2048 (TLS), EC P-256/P-384/P-521, no Ed25519; SAN for TLS servers: not found; assumed"
        ),
        opensslFix: legacyFix)

    /// Java 8 before 8u301 (`keytool`, the PKCS12 KeyStore): PBES1 only, SHA-1 MAC.
    public static let java8 = TargetProfile(
        name: "java8", title: "Java 8 before 8u301 (PKCS12 KeyStore, keytool)",
        pbes1Ciphers: pbes1Windows, pbes2Ciphers: [], prfs: nil, macDigests: ["SHA1"], maxIterations: nil,
        rsaMinBits: 1024, curves: nistCurves, ed25519: false, usage: nil, checksValidityPeriod: false,
        sources: Sources(
            encryption:
                "https://github.com/kaikramer/keystore-explorer/issues/173 (JDK 8 and 11 cannot open an AES256-SHA256 PFX:"
                + " \"keystore password was incorrect\"), https://github.com/openjdk/jdk/pull/473 (JDK-8153005: PBES2"
                + " AES-256 defaults), https://github.com/adoptium/adoptium-support/issues/378 (in Oracle 8u301)",
            mac: "https://github.com/pyca/cryptography/issues/7099 (Java 8 keytool writes a SHA-1 MAC);"
                + " SHA-256 MAC: not found; assumed unreadable",
            iterations: "not found; assumed no limit (Java 8 keytool itself writes 100000)",
            keys: "not found; assumed RSA, EC P-256/P-384/P-521, no Ed25519"),
        opensslFix: legacyFix)

    /// Azure API Management and App Service uploads: triple DES, RSA of at least 2048 bits.
    public static let apim = TargetProfile(
        name: "apim", title: "Azure API Management and App Service certificate uploads",
        pbes1Ciphers: [tripleDES], pbes2Ciphers: [], prfs: nil, macDigests: ["SHA1"], maxIterations: nil,
        rsaMinBits: 2048, curves: [], ed25519: false, usage: nil, checksValidityPeriod: false,
        sources: Sources(
            encryption:
                "https://learn.microsoft.com/en-us/training/modules/configure-web-app-settings/6-configure-security-certificates"
                + " (\"password-protected PFX file, encrypted using triple DES\")",
            mac: "not found; assumed SHA-1 (what triple-DES exports carry)",
            iterations: "not found; assumed no limit",
            keys:
                "https://learn.microsoft.com/en-us/training/modules/configure-web-app-settings/6-configure-security-certificates"
                + " (private key at least 2048 bits); EC: not found; assumed unreadable;"
                + " https://docs.microsoft.com/en-us/azure/api-management/configure-custom-domain (a PFX with the private key)"
        ),
        opensslFix: tripleDESFix)

    /// Publicly-trusted TLS (CA/Browser Forum Baseline Requirements): any encryption; the BR's keys, validity
    /// and server usage.
    public static let publicTLS = TargetProfile(
        name: "public-tls", title: "Publicly-trusted TLS server certificates (CA/Browser Forum Baseline Requirements)",
        pbes1Ciphers: nil, pbes2Ciphers: nil, prfs: nil, macDigests: nil, maxIterations: nil, rsaMinBits: 2048,
        curves: nistCurves, ed25519: false, usage: .server, checksValidityPeriod: true,
        sources: Sources(
            encryption: "any (the BR say nothing of PFX files)", mac: "any", iterations: "any",
            keys: "not found; assumed RSA ≥ 2048, ECDSA P-256/P-384/P-521, no Ed25519 (BR §6.1.5, not read here);"
                + " validity: https://github.com/cabforum/servercert/blob/main/docs/BR.md §6.3.2, see long-validity"),
        opensslFix: tripleDESFix)
}

extension TargetProfile {
    /// The profile's row of the README's "Targets" table (a test checks the README against it).
    public var readmeRow: String {
        func list(_ set: Set<String>?, empty: String = "none") -> String {
            guard let set else { return "any" }
            return set.isEmpty ? empty : set.sorted().joined(separator: ", ")
        }
        var keys: [String] = []
        keys.append(rsaMinBits.map { "RSA ≥ \($0)" } ?? "no RSA")
        keys.append(curves.map { $0.isEmpty ? "no EC" : "EC " + $0.sorted().joined(separator: ", ") } ?? "any EC")
        keys.append(ed25519 ? "Ed25519" : "no Ed25519")
        var checks: [String] = []
        if let usage {
            checks += ["`key-usage` (\(usage.rawValue))"] + (usage == .server ? ["`no-subject-alt-name`"] : [])
        }
        if checksValidityPeriod { checks.append("`long-validity`") }
        let cells = [
            "`\(name)`", title,
            "PBES1: \(list(pbes1Ciphers)); PBES2: \(list(pbes2Ciphers))",
            list(prfs), list(macDigests), maxIterations.map(String.init) ?? "no limit known",
            keys.joined(separator: "; "), checks.isEmpty ? "—" : checks.joined(separator: ", "),
            "encryption: \(sources.encryption); MAC: \(sources.mac); iterations: \(sources.iterations); "
                + "keys: \(sources.keys)",
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }
}
