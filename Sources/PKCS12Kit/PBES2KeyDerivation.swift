internal import CFastKDF
internal import COpenSSL
import Synchronization

/// Makes OpenSSL derive PBES2 keys with ``FastPBKDF2`` wherever it decrypts or encrypts with PBES2: PKCS#12
/// safes and shrouded key bags, encrypted PKCS#8 keys, PKCS#12 export.
///
/// ```
/// PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier {{PBES2-KDFs}},
///                             encryptionScheme AlgorithmIdentifier {{PBES2-Encs}} }
/// PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING, ... }, iterationCount INTEGER,
///                              keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
/// ```
///
/// OpenSSL looks PBE algorithms up in a table that applications may extend: entries added with
/// `EVP_PBE_alg_add_type` are searched before the built-in ones (`EVP_PBE_find_ex`, crypto/evp/evp_pbe.c, 3.0), and
/// `EVP_PBE_CipherInit_ex` calls the entry's key generator. So one entry for `pbes2` (the outer scheme, with no
/// cipher or digest of its own) routes every PBES2 decryption here. The generator does what
/// `PKCS5_v2_PBE_keyivgen` does (cipher and IV from the encryption scheme, key from PBKDF2) with the fast
/// derivation, and hands anything it does not handle (a KDF other than PBKDF2, a PRF outside SHA-1 and SHA-2, a
/// cipher it cannot fetch, parameters it cannot read) to `PKCS5_v2_PBE_keyivgen` itself, which also reports the
/// errors. The entry is for the outer type on purpose: an added `EVP_PBE_TYPE_KDF` entry for PBKDF2 would have no
/// `keygen_ex`, and PKCS5_v2_PBE_keyivgen_ex calls the KDF's `keygen_ex` only.
///
/// OpenSSL calls a generator added this way without the caller's library context, so PBES2 through a non-default
/// `OSSL_LIB_CTX` would fetch its cipher from the default one; PKCS12Kit uses only the default context.
///
/// Adding the entry changes a process-wide table of OpenSSL's, so PKCS12Kit never does it by itself: only
/// ``OpenSSLRuntime/installFastKeyDerivation()`` does, on request. Without it, PBES2 goes through OpenSSL's own
/// `PKCS5_v2_PBE_keyivgen`, with the same results.
///
/// Thread safety: the generator keeps no state; everything lives on the caller's stack. The table is written once,
/// by ``register()`` under Swift's one-time initialisation (concurrent installs wait for the one that runs), and
/// sorted by a look-up right after (OpenSSL sorts the table lazily on the first look-up, a write), so that later
/// look-ups only read it. OpenSSL does not lock the table: the install must come before other threads decrypt.
enum PBES2KeyDerivation {
    /// Whether the generator is in OpenSSL's table; adds it on first use. Only
    /// ``OpenSSLRuntime/installFastKeyDerivation()`` reads it.
    static let isRegistered: Bool = register()

    /// Whether the generator has been added (without adding it).
    static var isInstalled: Bool { installed.load(ordering: .acquiring) }

    private static let installed = Atomic<Bool>(false)

    private static func register() -> Bool {
        guard FastKeyDerivation.isAvailable else { return false }
        ERR_set_mark()
        defer { ERR_pop_to_mark() }
        guard EVP_PBE_alg_add_type(EVP_PBE_TYPE_OUTER, NID_pbes2, -1, -1, keyIVGen) == 1 else { return false }
        // Sorts the table now, single-threaded, and checks that the look-up finds the new entry.
        var keygen: EVP_PBE_KEYGEN_PTR? = nil
        guard EVP_PBE_find(EVP_PBE_TYPE_OUTER, NID_pbes2, nil, nil, &keygen) == 1, keygen != nil else { return false }
        installed.store(true, ordering: .releasing)
        return true
    }

    /// The key generator OpenSSL calls for PBES2 (`EVP_PBE_KEYGEN`).
    private static let keyIVGen: EVP_PBE_KEYGEN_PTR = {
        context, password, length, parameters, cipher, digest, encrypt in
        if FastKeyDerivation.isEnabled {
            let result = cd_fast_pbes2_keyivgen(
                UnsafeMutableRawPointer(context), password, length, UnsafeMutableRawPointer(parameters), encrypt)
            if result >= 0 {
                if result == 1, let probe = FastKeyDerivation.probe { probe.pbes2Keys.add(1, ordering: .relaxed) }
                return result
            }
        }
        return PKCS5_v2_PBE_keyivgen(context, password, length, parameters, cipher, digest, encrypt)
    }
}

/// `EVP_PBE_KEYGEN *` as Swift imports it.
typealias EVP_PBE_KEYGEN_PTR =
    @convention(c) (
        OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<ASN1_TYPE>?, OpaquePointer?, OpaquePointer?,
        Int32
    ) -> Int32
