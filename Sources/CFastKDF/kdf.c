// PBKDF2-HMAC and the PKCS#12 KDF over the SHA block functions (see sha_blocks.h).
#include "CFastKDF.h"

#include "sha_blocks.h"

int cd_fast_kdf_available(void) { return CD_FAST_KDF; }

#if CD_FAST_KDF

int cd_fast_pbkdf2(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
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
int cd_fast_pkcs12_kdf(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
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

#else  // OpenSSL built without its deprecated 3.0 API: every caller falls back to OpenSSL's own functions.

int cd_fast_pbkdf2(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt, size_t saltlen,
    uint64_t iterations, unsigned char *out, size_t outlen) {
    (void)md_nid, (void)pass, (void)passlen, (void)salt, (void)saltlen, (void)iterations, (void)out, (void)outlen;
    return 0;
}

int cd_fast_pkcs12_kdf(int md_nid, const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, int id, uint64_t iterations, unsigned char *out, size_t n) {
    (void)md_nid, (void)pass, (void)passlen, (void)salt, (void)saltlen, (void)id, (void)iterations, (void)out, (void)n;
    return 0;
}

#endif
