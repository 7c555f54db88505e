#ifndef CERTDROP_COPENSSL_SHIM_H
#define CERTDROP_COPENSSL_SHIM_H

// What Swift cannot import from OpenSSL 3 (function-like macros, composite flags, union members of public
// structs) wrapped as `static inline` functions, and nothing else: the fast key derivations are C of their own,
// compiled once, in Sources/CFastKDF.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// MARK: stacks

static inline int cd_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
static inline X509 *cd_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
static inline STACK_OF(X509) *cd_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int cd_sk_X509_push(STACK_OF(X509) *sk, X509 *x) { return sk_X509_push(sk, x); }
static inline void cd_sk_X509_free(STACK_OF(X509) *sk) { sk_X509_free(sk); }

static inline int cd_sk_PKCS7_num(const STACK_OF(PKCS7) *sk) { return sk_PKCS7_num(sk); }
static inline PKCS7 *cd_sk_PKCS7_value(const STACK_OF(PKCS7) *sk, int i) { return sk_PKCS7_value(sk, i); }
static inline void cd_sk_PKCS7_pop_free(STACK_OF(PKCS7) *sk) { sk_PKCS7_pop_free(sk, PKCS7_free); }

static inline int cd_sk_SAFEBAG_num(const STACK_OF(PKCS12_SAFEBAG) *sk) { return sk_PKCS12_SAFEBAG_num(sk); }
static inline PKCS12_SAFEBAG *cd_sk_SAFEBAG_value(const STACK_OF(PKCS12_SAFEBAG) *sk, int i) {
    return sk_PKCS12_SAFEBAG_value(sk, i);
}
static inline void cd_sk_SAFEBAG_pop_free(STACK_OF(PKCS12_SAFEBAG) *sk) {
    sk_PKCS12_SAFEBAG_pop_free(sk, PKCS12_SAFEBAG_free);
}

// MARK: memory and BIOs

static inline void cd_openssl_free(void *p) { OPENSSL_free(p); }
static inline long cd_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }

// MARK: names

/// RFC 2253 order reversed (most specific part first), ", " between parts, UTF-8 left readable.
static inline unsigned long cd_name_flags(void) {
    return (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN;
}

// MARK: PKCS#7 content of an authenticated safe

/// The algorithm of an encryptedData content info, or NULL when `p7` is not encryptedData.
static inline const X509_ALGOR *cd_p7_encrypted_algorithm(const PKCS7 *p7) {
    if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted || p7->d.encrypted == NULL
        || p7->d.encrypted->enc_data == NULL) {
        return NULL;
    }
    return p7->d.encrypted->enc_data->algorithm;
}

static inline int cd_p7_type_nid(const PKCS7 *p7) { return OBJ_obj2nid(p7->type); }

/// The algorithm of a shrouded key bag, or NULL.
static inline const X509_ALGOR *cd_shrouded_key_algorithm(const PKCS12_SAFEBAG *bag) {
    const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
    const X509_ALGOR *alg = NULL;
    if (sig == NULL) {
        return NULL;
    }
    X509_SIG_get0(sig, &alg, NULL);
    return alg;
}

/// The bytes of a bag's localKeyID attribute, or NULL.
static inline const ASN1_OCTET_STRING *cd_bag_local_key_id(const PKCS12_SAFEBAG *bag) {
    const ASN1_TYPE *t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
    if (t == NULL || t->type != V_ASN1_OCTET_STRING) {
        return NULL;
    }
    return t->value.octet_string;
}

static inline void cd_sk_SAFEBAG_free_all(STACK_OF(PKCS12_SAFEBAG) *sk) {
    sk_PKCS12_SAFEBAG_pop_free(sk, PKCS12_SAFEBAG_free);
}

static inline long cd_asn1_integer_get(const ASN1_INTEGER *i) { return i == NULL ? -1 : ASN1_INTEGER_get(i); }

// MARK: private keys

/// EVP_PKEY_KEYPAIR, a composite flag macro.
static inline int cd_evp_pkey_keypair(void) { return EVP_PKEY_KEYPAIR; }

/// EVP_PKCS82PKEY, told the key type. OpenSSL 3.0 builds a decoder context for every key it reads; without a key
/// type it gathers every decoder of every key type first, which costs several times the decoding (about 0.3 ms
/// against 0.1 ms here). The type comes from the PKCS#8 algorithm, named as X509_PUBKEY's own decoding names it
/// (OBJ_obj2txt); anything that does not decode that way goes through EVP_PKCS82PKEY unchanged.
static inline EVP_PKEY *cd_pkcs8_to_pkey(const PKCS8_PRIV_KEY_INFO *p8) {
    const ASN1_OBJECT *oid = NULL;
    char name[80];
    unsigned char *der = NULL;
    const unsigned char *cursor = NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = NULL;
    int length = 0;
    size_t left = 0;

    if (p8 == NULL || !PKCS8_pkey_get0(&oid, NULL, NULL, NULL, p8) || oid == NULL
        || OBJ_obj2txt(name, sizeof(name), oid, 0) <= 0 || (length = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0) {
        return EVP_PKCS82PKEY(p8);
    }
    cursor = der;
    left = (size_t)length;
    (void)ERR_set_mark();
    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "PrivateKeyInfo", name,
        EVP_PKEY_KEYPAIR | EVP_PKEY_KEY_PARAMETERS, NULL, NULL);
    if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &cursor, &left) || pkey == NULL) {
        (void)ERR_pop_to_mark();
        EVP_PKEY_free(pkey);
        pkey = EVP_PKCS82PKEY(p8);
    } else {
        (void)ERR_clear_last_mark();
    }
    OSSL_DECODER_CTX_free(dctx);
    OPENSSL_clear_free(der, (size_t)length);
    return pkey;
}

#endif
