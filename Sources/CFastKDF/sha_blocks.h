#ifndef CERTDROP_CFASTKDF_SHA_BLOCKS_H
#define CERTDROP_CFASTKDF_SHA_BLOCKS_H

// The SHA family through OpenSSL's low-level contexts and block functions, for kdf.c and pkcs12.c (not public).
//
// OpenSSL 3.0 runs every PBKDF2 iteration through a duplicated EVP_MAC context (allocations, provider calls,
// atomic reference counts on shared method objects) and every PKCS#12 KDF iteration through
// EVP_DigestInit/Update/Final; here the HMAC pads are hashed once per derivation and each iteration is one or two
// calls of the block function (SHA256_Transform and friends: deprecated in 3.0 but exported, and the same
// assembly, with SHA-NI where the CPU has it, that OpenSSL's digests use).

#include <openssl/opensslconf.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#if !defined(OPENSSL_NO_DEPRECATED_3_0)
#define CD_FAST_KDF 1
// The SHA*_Init/Update/Final/Transform functions are deprecated in 3.0 (in favour of EVP), used here on purpose;
// every file that includes this header compiles with the deprecation warning off.
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

#else
#define CD_FAST_KDF 0
#endif

#endif
