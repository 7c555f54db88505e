#ifndef CERTDROP_CFASTKDF_H
#define CERTDROP_CFASTKDF_H

// PKCS12Kit's fast key derivations, compiled once (kdf.c, pkcs12.c) with warnings as errors.
//
// PBKDF2-HMAC (RFC 8018) and the PKCS#12 KDF (RFC 7292 appendix B) over OpenSSL's own SHA block functions, for
// SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512, and what PKCS12Kit builds on them: the PKCS#12 MAC check, the
// PBES2 key generator it can add to OpenSSL's PBE table, and the reading of PBE parameters through OpenSSL's own
// ASN.1 decoders. Tests compare every result with OpenSSL's byte for byte.
//
// This header names no OpenSSL type: the OpenSSL objects are passed as `void *` (Swift: raw pointers), so that
// the OpenSSL headers belong to one Clang module only (COpenSSL) and this one imports beside it. NIDs are ints.
//
// Each derivation returns 1 on success, 0 when it does not handle the request (then the caller uses OpenSSL's own
// function, which also reports any error).

#include <stddef.h>
#include <stdint.h>

/// 1 when the fast derivations are compiled in (OpenSSL exports its deprecated 3.0 SHA block functions), else 0:
/// then every function here declines and callers use OpenSSL's own.
int cd_fast_kdf_available(void);

/// PBKDF2 with HMAC over the digest `md_nid` (NID_sha1, NID_sha224, NID_sha256, NID_sha384 or NID_sha512), as
/// `PKCS5_PBKDF2_HMAC` computes it. 0 for another digest, no iterations or no output.
int cd_fast_pbkdf2(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt, size_t saltlen,
    uint64_t iterations, unsigned char *out, size_t outlen);

/// The PKCS#12 KDF (RFC 7292 appendix B.2) with the digest `md_nid` over a password already in BMPString form
/// (`pass` NULL or empty: no password part), as `PKCS12_key_gen_uni` computes it. 0 for another digest, no
/// iterations, no salt or no output.
int cd_fast_pkcs12_kdf(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, int id, uint64_t iterations, unsigned char *out, size_t n);

/// Checks the MAC of `p12` (a `PKCS12 *`) as PKCS12_verify_mac does, over `data`, the content octets of its
/// authenticated safe as the caller located them (the password as UTF-8, turned into BMPString; NULL for no
/// password): 1 when it verifies, 0 when it does not, -1 when this function does not handle the file (no MAC, a
/// digest outside SHA-1/SHA-2, unreadable parameters): then ask PKCS12_verify_mac. Leaves the error queue as it
/// found it.
int cd_fast_pkcs12_verify_mac(void *p12, const unsigned char *data, size_t datalen, const char *pass, int passlen);

/// Sets up `ctx` (an `EVP_CIPHER_CTX *`) for the PBES2 parameters `param` (an `ASN1_TYPE *`) as
/// PKCS5_v2_PBE_keyivgen does (cipher and IV from the encryption scheme, key from PBKDF2), with the key derived by
/// cd_fast_pbkdf2. 1 on success; -1 when it does not handle the parameters (a KDF other than PBKDF2, a PRF outside
/// SHA-1/SHA-2, a cipher it cannot fetch, anything unreadable), having raised no error: then call
/// PKCS5_v2_PBE_keyivgen, which reports what is wrong.
int cd_fast_pbes2_keyivgen(void *ctx, const char *pass, int passlen, void *param, int en_de);

/// Reads the parameters of a PBE algorithm identifier (an `X509_ALGOR *`, NULL allowed) without deriving anything,
/// with OpenSSL's own decoders (PBE2PARAM, PBKDF2PARAM, PBEPARAM): what OpenSSL accepts there, this accepts.
/// `scheme`: the algorithm's own NID; `cipher`: the cipher NID (PBES2) or the scheme's; `prf`: the PBKDF2 PRF
/// NID, minus the KDF's NID when the KDF is not PBKDF2, or 0; `iterations`: the iteration count, -1 when
/// unreadable.
void cd_pbe_parameters(const void *alg, int *scheme, int *cipher, int *prf, long *iterations);

#endif
