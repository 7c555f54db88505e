// What PKCS12Kit builds on the fast derivations: the PKCS#12 MAC check and the PBES2 key generator; and the
// reading of PBE parameters with OpenSSL's own ASN.1 decoders.
#include "CFastKDF.h"

#include "sha_blocks.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

// MARK: PBE parameters


/// See CFastKDF.h. The parameters are decoded with OpenSSL's own item templates, as the decryption that follows
/// decodes them, so this reads exactly what OpenSSL would use (also BER forms DER would refuse).
void cd_pbe_parameters(const void *algorithm, int *scheme, int *cipher, int *prf, long *iterations) {
    const X509_ALGOR *alg = algorithm;
    const ASN1_OBJECT *obj = NULL;
    int ptype = 0;
    const void *pval = NULL;
    *scheme = 0;
    *cipher = 0;
    *prf = 0;
    *iterations = -1;
    if (alg == NULL) {
        return;
    }
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    *scheme = OBJ_obj2nid(obj);
    if (ptype != V_ASN1_SEQUENCE || alg->parameter == NULL) {
        return;
    }
    if (*scheme == NID_pbes2) {
        PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
        if (p2 == NULL) {
            return;
        }
        if (p2->encryption != NULL) {
            *cipher = OBJ_obj2nid(p2->encryption->algorithm);
        }
        if (p2->keyfunc != NULL && OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_pbkdf2
            && p2->keyfunc->parameter != NULL) {
            PBKDF2PARAM *kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter);
            if (kdf != NULL) {
                *iterations = ASN1_INTEGER_get(kdf->iter);
                *prf = kdf->prf == NULL ? NID_hmacWithSHA1 : OBJ_obj2nid(kdf->prf->algorithm);
                PBKDF2PARAM_free(kdf);
            }
        } else if (p2->keyfunc != NULL) {
            *prf = -OBJ_obj2nid(p2->keyfunc->algorithm);
        }
        PBE2PARAM_free(p2);
    } else {
        PBEPARAM *p = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
        if (p != NULL) {
            *iterations = ASN1_INTEGER_get(p->iter);
            *cipher = *scheme;
            PBEPARAM_free(p);
        }
    }
}

#if CD_FAST_KDF

// MARK: the MAC

int cd_fast_pkcs12_verify_mac(void *pkcs12, const unsigned char *data, size_t datalen, const char *pass,
    int passlen) {
    PKCS12 *p12 = pkcs12;
    const ASN1_OCTET_STRING *expected = NULL, *salt = NULL;
    const X509_ALGOR *algorithm = NULL;
    const ASN1_INTEGER *iter = NULL;
    const ASN1_OBJECT *oid = NULL;
    unsigned char *unipass = NULL;
    unsigned char key[64], mac[64];
    long iterations = 0;
    int uniplen = 0, nid = NID_undef, result = -1;
    cd_sha_kind k;

    if (p12 == NULL || (data == NULL && datalen != 0) || PKCS12_mac_present(p12) != 1) return -1;
    PKCS12_get0_mac(&expected, &algorithm, &salt, &iter, p12);
    if (expected == NULL || algorithm == NULL || salt == NULL) return -1;
    X509_ALGOR_get0(&oid, NULL, NULL, algorithm);
    nid = OBJ_obj2nid(oid);
    if (!cd_sha_kind_for_nid(nid, &k) || ASN1_STRING_length(salt) <= 0) return -1;
    (void)ERR_set_mark();
    iterations = iter == NULL ? 1 : ASN1_INTEGER_get(iter);
    if (iterations < 1) goto done;
    if (pass != NULL && OPENSSL_utf82uni(pass, passlen, &unipass, &uniplen) == NULL) goto done;
    if (cd_fast_pkcs12_kdf(nid, unipass, unipass == NULL ? 0 : (size_t)uniplen, ASN1_STRING_get0_data(salt),
            (size_t)ASN1_STRING_length(salt), PKCS12_MAC_ID, (uint64_t)iterations, key, k.size)) {
        cd_fast_hmac(&k, key, k.size, data, datalen, mac);
        result = (size_t)ASN1_STRING_length(expected) == k.size
            && CRYPTO_memcmp(mac, ASN1_STRING_get0_data(expected), k.size) == 0;
    }

done:
    (void)ERR_pop_to_mark();
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(mac, sizeof(mac));
    if (unipass != NULL) OPENSSL_clear_free(unipass, (size_t)uniplen);
    return result;
}

// MARK: PBES2

/// The digest of a PBKDF2 PRF this file derives with, or NID_undef.
static int cd_pbkdf2_prf_digest(int prf_nid) {
    switch (prf_nid) {
    case NID_hmacWithSHA1: return NID_sha1;
    case NID_hmacWithSHA224: return NID_sha224;
    case NID_hmacWithSHA256: return NID_sha256;
    case NID_hmacWithSHA384: return NID_sha384;
    case NID_hmacWithSHA512: return NID_sha512;
    default: return NID_undef;
    }
}

/// See CFastKDF.h.
int cd_fast_pbes2_keyivgen(void *context, const char *pass, int passlen, void *parameters, int en_de) {
    EVP_CIPHER_CTX *ctx = context;
    ASN1_TYPE *param = parameters;
    PBE2PARAM *pbe2 = NULL;
    PBKDF2PARAM *kdf = NULL;
    EVP_CIPHER *fetched = NULL;
    const EVP_CIPHER *cipher = NULL;
    const ASN1_OCTET_STRING *salt = NULL;
    unsigned char key[EVP_MAX_KEY_LENGTH];
    int keylen = 0, digest = NID_undef, result = -1;
    long iterations = 0;
    char name[80];

    (void)ERR_set_mark();
    if (param == NULL || (pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), param)) == NULL) goto done;
    if (pbe2->keyfunc == NULL || pbe2->encryption == NULL
        || OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2 || pbe2->keyfunc->parameter == NULL) {
        goto done;
    }
    kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter);
    if (kdf == NULL || kdf->salt == NULL || kdf->salt->type != V_ASN1_OCTET_STRING || kdf->iter == NULL) goto done;
    digest = cd_pbkdf2_prf_digest(kdf->prf == NULL ? NID_hmacWithSHA1 : OBJ_obj2nid(kdf->prf->algorithm));
    iterations = ASN1_INTEGER_get(kdf->iter);
    if (digest == NID_undef || iterations < 1) goto done;

    if (OBJ_obj2txt(name, sizeof(name), pbe2->encryption->algorithm, 0) <= 0) goto done;
    cipher = fetched = EVP_CIPHER_fetch(NULL, name, NULL);
    if (cipher == NULL) cipher = EVP_get_cipherbyname(name);
    if (cipher == NULL) goto done;
    if (!EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, en_de)) goto done;
    if (EVP_CIPHER_asn1_to_param(ctx, pbe2->encryption->parameter) <= 0) goto done;
    keylen = EVP_CIPHER_CTX_get_key_length(ctx);
    if (keylen <= 0 || keylen > (int)sizeof(key)) goto done;
    if (kdf->keylength != NULL && ASN1_INTEGER_get(kdf->keylength) != keylen) goto done;

    salt = kdf->salt->value.octet_string;
    if (!cd_fast_pbkdf2(digest, (const unsigned char *)pass, pass == NULL ? 0 : (size_t)passlen,
            ASN1_STRING_get0_data(salt), (size_t)ASN1_STRING_length(salt), (uint64_t)iterations, key,
            (size_t)keylen)) {
        goto done;
    }
    if (EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, en_de)) result = 1;

done:
    if (result == 1) {
        (void)ERR_clear_last_mark();
    } else {
        (void)ERR_pop_to_mark();
    }
    OPENSSL_cleanse(key, sizeof(key));
    PBKDF2PARAM_free(kdf);
    PBE2PARAM_free(pbe2);
    EVP_CIPHER_free(fetched);
    return result;
}

#else  // OpenSSL built without its deprecated 3.0 API: every caller falls back to OpenSSL's own functions.

int cd_fast_pkcs12_verify_mac(void *pkcs12, const unsigned char *data, size_t datalen, const char *pass,
    int passlen) {
    (void)pkcs12, (void)data, (void)datalen, (void)pass, (void)passlen;
    return -1;
}

int cd_fast_pbes2_keyivgen(void *context, const char *pass, int passlen, void *parameters, int en_de) {
    (void)context, (void)pass, (void)passlen, (void)parameters, (void)en_de;
    return -1;
}

#endif
