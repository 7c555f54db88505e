#ifndef CERTDROP_COPENSSL_SHIM_H
#define CERTDROP_COPENSSL_SHIM_H

// What Swift cannot import from OpenSSL 3 (function-like macros, composite flags, union members of public
// structs) wrapped as `static inline` functions. A system-library target cannot hold `.c` files.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
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

// MARK: password-based encryption parameters

/// Reads the parameters of a PBE algorithm identifier without deriving anything.
/// `scheme`: the algorithm's own NID; `cipher`: the cipher NID (PBES2) or the scheme's; `prf`: the PBKDF2 PRF
/// NID or 0; `iterations`: the iteration count, -1 when unreadable.
static inline void cd_pbe_parameters(const X509_ALGOR *alg, int *scheme, int *cipher, int *prf, long *iterations) {
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

#endif
