#ifndef CERTDROP_COPENSSL_SHIM_H
#define CERTDROP_COPENSSL_SHIM_H

// What Swift cannot import from OpenSSL 3 (function-like macros, composite flags, union members of public
// structs) wrapped as `static inline` functions. A system-library target cannot hold `.c` files.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
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

// MARK: private keys

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

// MARK: fast key derivation
//
// PBKDF2-HMAC (RFC 8018) and the PKCS#12 KDF (RFC 7292 appendix B) over OpenSSL's own SHA block functions, for
// SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512. OpenSSL 3.0 runs every PBKDF2 iteration through a duplicated
// EVP_MAC context (allocations, provider calls, atomic reference counts on shared method objects) and every
// PKCS#12 KDF iteration through EVP_DigestInit/Update/Final; here the HMAC pads are hashed once per derivation and
// each iteration is one or two calls of the block function (SHA256_Transform and friends: deprecated in 3.0 but
// exported, and the same assembly, with SHA-NI where the CPU has it, that OpenSSL's digests use).
//
// Each function returns 1 on success, 0 when it does not handle the request (then the caller uses OpenSSL's own
// function, which also reports any error). Tests compare every result with OpenSSL's byte for byte.

#if !defined(OPENSSL_NO_DEPRECATED_3_0)
#define CD_FAST_KDF 1
// The SHA*_Init/Update/Final/Transform functions are deprecated in 3.0 (in favour of EVP), used here on purpose.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { CD_SHA1 = 1, CD_SHA224, CD_SHA256, CD_SHA384, CD_SHA512 };

typedef union {
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} cd_sha_ctx;

/// A hash of the SHA family: which, its block size and its digest size in bytes.
typedef struct {
    int kind;
    size_t block;
    size_t size;
} cd_sha_kind;

static inline int cd_sha_kind_for_nid(int md_nid, cd_sha_kind *k) {
    switch (md_nid) {
    case NID_sha1: *k = (cd_sha_kind){CD_SHA1, 64, 20}; return 1;
    case NID_sha224: *k = (cd_sha_kind){CD_SHA224, 64, 28}; return 1;
    case NID_sha256: *k = (cd_sha_kind){CD_SHA256, 64, 32}; return 1;
    case NID_sha384: *k = (cd_sha_kind){CD_SHA384, 128, 48}; return 1;
    case NID_sha512: *k = (cd_sha_kind){CD_SHA512, 128, 64}; return 1;
    default: return 0;
    }
}

static inline void cd_sha_init(const cd_sha_kind *k, cd_sha_ctx *c) {
    switch (k->kind) {
    case CD_SHA1: SHA1_Init(&c->sha1); break;
    case CD_SHA224: SHA224_Init(&c->sha256); break;
    case CD_SHA256: SHA256_Init(&c->sha256); break;
    case CD_SHA384: SHA384_Init(&c->sha512); break;
    default: SHA512_Init(&c->sha512); break;
    }
}

static inline void cd_sha_update(const cd_sha_kind *k, cd_sha_ctx *c, const void *data, size_t length) {
    if (length == 0) {
        return;
    }
    switch (k->kind) {
    case CD_SHA1: SHA1_Update(&c->sha1, data, length); break;
    case CD_SHA224:
    case CD_SHA256: SHA256_Update(&c->sha256, data, length); break;
    default: SHA512_Update(&c->sha512, data, length); break;
    }
}

/// Writes the digest (k->size bytes; SHA-224 and SHA-384 contexts know their own length).
static inline void cd_sha_final(const cd_sha_kind *k, cd_sha_ctx *c, unsigned char *out) {
    switch (k->kind) {
    case CD_SHA1: SHA1_Final(out, &c->sha1); break;
    case CD_SHA224:
    case CD_SHA256: SHA256_Final(out, &c->sha256); break;
    default: SHA512_Final(out, &c->sha512); break;
    }
}

/// One block through the compression function: only the chaining state changes.
static inline void cd_sha_transform(const cd_sha_kind *k, cd_sha_ctx *c, const unsigned char *block) {
    switch (k->kind) {
    case CD_SHA1: SHA1_Transform(&c->sha1, block); break;
    case CD_SHA224:
    case CD_SHA256: SHA256_Transform(&c->sha256, block); break;
    default: SHA512_Transform(&c->sha512, block); break;
    }
}

/// Copies the chaining state (not the buffered input or the length).
static inline void cd_sha_copy_state(const cd_sha_kind *k, cd_sha_ctx *to, const cd_sha_ctx *from) {
    switch (k->kind) {
    case CD_SHA1:
        to->sha1.h0 = from->sha1.h0;
        to->sha1.h1 = from->sha1.h1;
        to->sha1.h2 = from->sha1.h2;
        to->sha1.h3 = from->sha1.h3;
        to->sha1.h4 = from->sha1.h4;
        break;
    case CD_SHA224:
    case CD_SHA256: memcpy(to->sha256.h, from->sha256.h, sizeof(to->sha256.h)); break;
    default: memcpy(to->sha512.h, from->sha512.h, sizeof(to->sha512.h)); break;
    }
}

/// Lays out a one-block message of `length` bytes whose first k->size bytes are written later: 0x80 after the
/// digest, zeros, and the message length in bits, big-endian, at the end of the block.
static inline void cd_sha_pad_block(const cd_sha_kind *k, unsigned char *block, uint64_t length) {
    uint64_t bits = length * 8;
    memset(block, 0, k->block);
    block[k->size] = 0x80;
    for (int i = 0; i < 8; i++) {
        block[k->block - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
}

/// Writes the chaining state as the digest, big-endian, into the first k->size bytes of a block laid out by
/// cd_sha_pad_block. With SSE2 it writes whole 16-byte lanes (rewriting the constant 0x80 and zeros that follow
/// a SHA-1 or SHA-224 digest), so that the block function's 16-byte loads are forwarded from the stores instead
/// of stalling on several smaller ones.
static inline void cd_sha_put_chained(const cd_sha_kind *k, const cd_sha_ctx *c, unsigned char *block) {
#if defined(__SSE2__)
    switch (k->kind) {
    case CD_SHA1: {
        const SHA_CTX *s = &c->sha1;
        _mm_storeu_si128((__m128i *)block,
            _mm_set_epi32((int)__builtin_bswap32(s->h3), (int)__builtin_bswap32(s->h2),
                (int)__builtin_bswap32(s->h1), (int)__builtin_bswap32(s->h0)));
        _mm_storeu_si128((__m128i *)(block + 16), _mm_set_epi32(0, 0, 0x80, (int)__builtin_bswap32(s->h4)));
        return;
    }
    case CD_SHA224:
    case CD_SHA256: {
        const SHA_LONG *h = c->sha256.h;
        _mm_storeu_si128((__m128i *)block,
            _mm_set_epi32((int)__builtin_bswap32(h[3]), (int)__builtin_bswap32(h[2]),
                (int)__builtin_bswap32(h[1]), (int)__builtin_bswap32(h[0])));
        _mm_storeu_si128((__m128i *)(block + 16),
            _mm_set_epi32(k->kind == CD_SHA224 ? 0x80 : (int)__builtin_bswap32(h[7]), (int)__builtin_bswap32(h[6]),
                (int)__builtin_bswap32(h[5]), (int)__builtin_bswap32(h[4])));
        return;
    }
    default: {
        const SHA_LONG64 *h = c->sha512.h;
        for (size_t i = 0; i < k->size / 8; i += 2) {
            _mm_storeu_si128((__m128i *)(block + 8 * i),
                _mm_set_epi64x((long long)__builtin_bswap64(h[i + 1]), (long long)__builtin_bswap64(h[i])));
        }
        return;
    }
    }
#else
    switch (k->kind) {
    case CD_SHA1: {
        const SHA_LONG words[5] = {c->sha1.h0, c->sha1.h1, c->sha1.h2, c->sha1.h3, c->sha1.h4};
        for (size_t i = 0; i < 5; i++) {
            for (int b = 0; b < 4; b++) block[4 * i + b] = (unsigned char)(words[i] >> (24 - 8 * b));
        }
        return;
    }
    case CD_SHA224:
    case CD_SHA256:
        for (size_t i = 0; i < k->size / 4; i++) {
            for (int b = 0; b < 4; b++) block[4 * i + b] = (unsigned char)(c->sha256.h[i] >> (24 - 8 * b));
        }
        return;
    default:
        for (size_t i = 0; i < k->size / 8; i++) {
            for (int b = 0; b < 8; b++) block[8 * i + b] = (unsigned char)(c->sha512.h[i] >> (56 - 8 * b));
        }
        return;
    }
#endif
}

/// The HMAC inner and outer states after the padded key block, hashed once per derivation.
static inline void cd_hmac_pads(const cd_sha_kind *k, const unsigned char *key, size_t keylen, cd_sha_ctx *inner,
    cd_sha_ctx *outer) {
    unsigned char block[128];
    unsigned char hashed[64];
    cd_sha_ctx c;
    if (keylen > k->block) {
        cd_sha_init(k, &c);
        cd_sha_update(k, &c, key, keylen);
        cd_sha_final(k, &c, hashed);
        key = hashed;
        keylen = k->size;
    }
    memset(block, 0x36, k->block);
    for (size_t i = 0; i < keylen; i++) block[i] ^= key[i];
    cd_sha_init(k, inner);
    cd_sha_update(k, inner, block, k->block);
    memset(block, 0x5c, k->block);
    for (size_t i = 0; i < keylen; i++) block[i] ^= key[i];
    cd_sha_init(k, outer);
    cd_sha_update(k, outer, block, k->block);
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(hashed, sizeof(hashed));
    OPENSSL_cleanse(&c, sizeof(c));
}

/// PBKDF2 with HMAC over the digest `md_nid` (NID_sha1, NID_sha224, NID_sha256, NID_sha384 or NID_sha512), as
/// `PKCS5_PBKDF2_HMAC` computes it. 0 for another digest, no iterations or no output.
static inline int cd_fast_pbkdf2(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, uint64_t iterations, unsigned char *out, size_t outlen) {
    cd_sha_kind k;
    if (!cd_sha_kind_for_nid(md_nid, &k) || iterations < 1 || outlen == 0 || (salt == NULL && saltlen != 0)
        || (pass == NULL && passlen != 0)) {
        return 0;
    }
    cd_sha_ctx inner, outer, work;
    unsigned char chain[128], innerBlock[128], t[64];
    cd_hmac_pads(&k, pass, passlen, &inner, &outer);
    cd_sha_pad_block(&k, chain, k.block + k.size);
    cd_sha_pad_block(&k, innerBlock, k.block + k.size);
    uint32_t counter = 1;
    for (size_t done = 0; done < outlen; counter++) {
        // U1 = HMAC(P, S || INT(i)): the only message of arbitrary length, hashed the ordinary way.
        unsigned char be[4] = {(unsigned char)(counter >> 24), (unsigned char)(counter >> 16),
            (unsigned char)(counter >> 8), (unsigned char)counter};
        work = inner;
        cd_sha_update(&k, &work, salt, saltlen);
        cd_sha_update(&k, &work, be, 4);
        cd_sha_final(&k, &work, t);
        work = outer;
        cd_sha_update(&k, &work, t, k.size);
        cd_sha_final(&k, &work, t);
        memcpy(chain, t, k.size);
        // U(j) = HMAC(P, U(j-1)): two one-block messages from the saved pad states.
        for (uint64_t j = 1; j < iterations; j++) {
            cd_sha_copy_state(&k, &work, &inner);
            cd_sha_transform(&k, &work, chain);
            cd_sha_put_chained(&k, &work, innerBlock);
            cd_sha_copy_state(&k, &work, &outer);
            cd_sha_transform(&k, &work, innerBlock);
            cd_sha_put_chained(&k, &work, chain);
            for (size_t i = 0; i < k.size; i++) t[i] ^= chain[i];
        }
        size_t take = outlen - done < k.size ? outlen - done : k.size;
        memcpy(out + done, t, take);
        done += take;
    }
    OPENSSL_cleanse(&inner, sizeof(inner));
    OPENSSL_cleanse(&outer, sizeof(outer));
    OPENSSL_cleanse(&work, sizeof(work));
    OPENSSL_cleanse(chain, sizeof(chain));
    OPENSSL_cleanse(innerBlock, sizeof(innerBlock));
    OPENSSL_cleanse(t, sizeof(t));
    return 1;
}

/// The PKCS#12 KDF (RFC 7292 appendix B.2) with the digest `md_nid` over a password already in BMPString form
/// (`pass` NULL or empty: no password part), as `PKCS12_key_gen_uni` computes it. 0 for another digest, no
/// iterations, no salt or no output.
static inline int cd_fast_pkcs12_kdf(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, int id, uint64_t iterations, unsigned char *out, size_t n) {
    cd_sha_kind k;
    if (!cd_sha_kind_for_nid(md_nid, &k) || iterations < 1 || n == 0 || salt == NULL || saltlen == 0
        || (pass == NULL && passlen != 0)) {
        return 0;
    }
    const size_t v = k.block, u = k.size;
    const size_t slen = v * ((saltlen + v - 1) / v);
    const size_t plen = passlen == 0 ? 0 : v * ((passlen + v - 1) / v);
    const size_t ilen = slen + plen;
    unsigned char *I = OPENSSL_malloc(ilen);
    if (I == NULL) {
        return 0;
    }
    for (size_t i = 0; i < slen; i++) I[i] = salt[i % saltlen];
    for (size_t i = 0; i < plen; i++) I[slen + i] = pass[i % passlen];
    unsigned char D[128], B[128], chain[128], A[64];
    memset(D, id, v);
    cd_sha_ctx initial, work;
    cd_sha_init(&k, &initial);
    cd_sha_pad_block(&k, chain, u);
    for (;;) {
        work = initial;
        cd_sha_update(&k, &work, D, v);
        cd_sha_update(&k, &work, I, ilen);
        cd_sha_final(&k, &work, A);
        if (iterations > 1) {
            memcpy(chain, A, u);
            for (uint64_t j = 1; j < iterations; j++) {
                cd_sha_copy_state(&k, &work, &initial);
                cd_sha_transform(&k, &work, chain);
                cd_sha_put_chained(&k, &work, chain);
            }
            memcpy(A, chain, u);
        }
        memcpy(out, A, n < u ? n : u);
        if (u >= n) {
            break;
        }
        n -= u;
        out += u;
        // I(j) = I(j) + B + 1 for every v-byte block of I.
        for (size_t j = 0; j < v; j++) B[j] = A[j % u];
        for (size_t j = 0; j < ilen; j += v) {
            unsigned char *Ij = I + j;
            uint16_t carry = 1;
            for (size_t b = v; b > 0;) {
                b--;
                carry += Ij[b] + B[b];
                Ij[b] = (unsigned char)carry;
                carry >>= 8;
            }
        }
    }
    OPENSSL_clear_free(I, ilen);
    OPENSSL_cleanse(&work, sizeof(work));
    OPENSSL_cleanse(chain, sizeof(chain));
    OPENSSL_cleanse(A, sizeof(A));
    OPENSSL_cleanse(B, sizeof(B));
    return 1;
}

/// HMAC over `data` with the digest of `k`, from the low-level contexts.
static inline void cd_fast_hmac(const cd_sha_kind *k, const unsigned char *key, size_t keylen,
    const unsigned char *data, size_t datalen, unsigned char *mac) {
    cd_sha_ctx inner, outer;
    unsigned char digest[64];
    cd_hmac_pads(k, key, keylen, &inner, &outer);
    cd_sha_update(k, &inner, data, datalen);
    cd_sha_final(k, &inner, digest);
    cd_sha_update(k, &outer, digest, k->size);
    cd_sha_final(k, &outer, mac);
    OPENSSL_cleanse(&inner, sizeof(inner));
    OPENSSL_cleanse(&outer, sizeof(outer));
    OPENSSL_cleanse(digest, sizeof(digest));
}

/// Reads one DER header at `*p` (at most `*left` bytes): tag, constructed bit and content length. Advances past the
/// header. 0 on anything but a definite-length header within bounds.
static inline int cd_der_header(const unsigned char **p, long *left, int expectedTag, int expectedClass,
    long *length) {
    const unsigned char *start = *p;
    int tag = 0, xclass = 0;
    int flags = ASN1_get_object(p, length, &tag, &xclass, *left);
    if ((flags & 0x80) != 0 || flags == 0x21 || tag != expectedTag || xclass != expectedClass) {
        return 0;
    }
    *left -= (long)(*p - start);
    return *length <= *left;
}

/// The content octets of the authenticated safe (`authSafe` ContentInfo of type data), located in `der`, a DER
/// encoding of the whole PFX as i2d_PKCS12 writes it. 0 when the structure is not as expected.
static inline int cd_pfx_authsafe_data(const unsigned char *der, long derlen, const unsigned char **data,
    long *datalen) {
    static const unsigned char dataOID[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01};
    const unsigned char *p = der;
    long left = derlen, length = 0;
    if (!cd_der_header(&p, &left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &length)) return 0;  // PFX
    left = length;
    if (!cd_der_header(&p, &left, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &length)) return 0;  // version
    p += length;
    left -= length;
    if (!cd_der_header(&p, &left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &length)) return 0;  // ContentInfo
    left = length;
    if (!cd_der_header(&p, &left, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &length)) return 0;
    if (length != (long)sizeof(dataOID) || memcmp(p, dataOID, sizeof(dataOID)) != 0) return 0;
    p += length;
    left -= length;
    if (!cd_der_header(&p, &left, 0, V_ASN1_CONTEXT_SPECIFIC, &length)) return 0;  // [0] EXPLICIT
    left = length;
    if (!cd_der_header(&p, &left, V_ASN1_OCTET_STRING, V_ASN1_UNIVERSAL, &length)) return 0;
    *data = p;
    *datalen = length;
    return 1;
}

/// Checks the MAC of `p12` as PKCS12_verify_mac does (the password as UTF-8, turned into BMPString, NULL for no
/// password): 1 when it verifies, 0 when it does not, -1 when this function does not handle the file (no MAC, a
/// digest outside SHA-1/SHA-2, content that is not data, unreadable parameters): then ask PKCS12_verify_mac.
static inline int cd_fast_pkcs12_verify_mac(PKCS12 *p12, const char *pass, int passlen) {
    const ASN1_OCTET_STRING *expected = NULL, *salt = NULL;
    const X509_ALGOR *algorithm = NULL;
    const ASN1_INTEGER *iter = NULL;
    const ASN1_OBJECT *oid = NULL;
    const unsigned char *data = NULL;
    unsigned char *der = NULL, *unipass = NULL;
    unsigned char key[64], mac[64];
    long iterations = 0, datalen = 0;
    int derlen = 0, uniplen = 0, nid = NID_undef, result = -1;
    cd_sha_kind k;

    if (PKCS12_mac_present(p12) != 1) return -1;
    PKCS12_get0_mac(&expected, &algorithm, &salt, &iter, p12);
    if (expected == NULL || algorithm == NULL || salt == NULL) return -1;
    X509_ALGOR_get0(&oid, NULL, NULL, algorithm);
    nid = OBJ_obj2nid(oid);
    if (!cd_sha_kind_for_nid(nid, &k) || ASN1_STRING_length(salt) <= 0) return -1;
    (void)ERR_set_mark();
    iterations = iter == NULL ? 1 : ASN1_INTEGER_get(iter);
    if (iterations < 1) goto done;
    derlen = i2d_PKCS12(p12, &der);
    if (derlen <= 0 || der == NULL || !cd_pfx_authsafe_data(der, derlen, &data, &datalen)) goto done;
    if (pass != NULL && OPENSSL_utf82uni(pass, passlen, &unipass, &uniplen) == NULL) goto done;
    if (cd_fast_pkcs12_kdf(nid, unipass, unipass == NULL ? 0 : (size_t)uniplen, ASN1_STRING_get0_data(salt),
            (size_t)ASN1_STRING_length(salt), PKCS12_MAC_ID, (uint64_t)iterations, key, k.size)) {
        cd_fast_hmac(&k, key, k.size, data, (size_t)datalen, mac);
        result = (size_t)ASN1_STRING_length(expected) == k.size
            && CRYPTO_memcmp(mac, ASN1_STRING_get0_data(expected), k.size) == 0;
    }

done:
    (void)ERR_pop_to_mark();
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(mac, sizeof(mac));
    if (unipass != NULL) OPENSSL_clear_free(unipass, (size_t)uniplen);
    OPENSSL_free(der);
    return result;
}

/// The digest of a PBKDF2 PRF this file derives with, or NID_undef.
static inline int cd_pbkdf2_prf_digest(int prf_nid) {
    switch (prf_nid) {
    case NID_hmacWithSHA1: return NID_sha1;
    case NID_hmacWithSHA224: return NID_sha224;
    case NID_hmacWithSHA256: return NID_sha256;
    case NID_hmacWithSHA384: return NID_sha384;
    case NID_hmacWithSHA512: return NID_sha512;
    default: return NID_undef;
    }
}

/// Sets up `ctx` for a PBES2 AlgorithmIdentifier's parameters as PKCS5_v2_PBE_keyivgen does (cipher and IV from
/// the encryption scheme, key from PBKDF2), with the key derived by cd_fast_pbkdf2. 1 on success; -1 when it
/// does not handle the parameters (a KDF other than PBKDF2, a PRF outside SHA-1/SHA-2, a cipher it cannot fetch,
/// anything unreadable), having raised no error: then call PKCS5_v2_PBE_keyivgen, which reports what is wrong.
static inline int cd_fast_pbes2_keyivgen(EVP_CIPHER_CTX *ctx, const char *pass, int passlen, ASN1_TYPE *param,
    int en_de) {
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

#pragma GCC diagnostic pop

#else  // OpenSSL built without its deprecated 3.0 API: every caller falls back to OpenSSL's own functions.
#define CD_FAST_KDF 0
static inline int cd_fast_pbkdf2(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, uint64_t iterations, unsigned char *out, size_t outlen) { return 0; }
static inline int cd_fast_pkcs12_kdf(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, int id, uint64_t iterations, unsigned char *out, size_t n) { return 0; }
static inline int cd_fast_pkcs12_verify_mac(PKCS12 *p12, const char *pass, int passlen) { return -1; }
static inline int cd_fast_pbes2_keyivgen(EVP_CIPHER_CTX *ctx, const char *pass, int passlen, ASN1_TYPE *param,
    int en_de) { return -1; }
#endif

static inline int cd_fast_kdf_available(void) { return CD_FAST_KDF; }

#endif
