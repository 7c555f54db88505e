#!/usr/bin/env python3
"""Writes hand-built PKCS#12 (RFC 7292) files that ordinary writers never make on demand, for edge-case tests.

Usage:  python3 scripts/make-crafted-pkcs12.py OUTDIR [--no-verify]

Every structure is assembled here from ASN.1 with a small DER/BER encoder (class `Enc`), so the exact bytes on
the wire are under control: indefinite lengths, constructed OCTET STRINGs, non-minimal lengths, one safe per
certificate, huge iteration counts, PKCS#8 v2 keys and so on. The `cryptography` package only makes keys and
certificates and does AES-CBC; hashlib does PBKDF2 and HMAC; the PKCS#12 KDF (RFC 7292 appendix B) is `p12_kdf`.

All passwords are fixed TEST values ("crafted-pass"), not secrets. Salts and IVs are fixed (derived from a label
with SHA-256), so a file's layout is the same on every run; keys and certificates are generated fresh.

Output, in OUTDIR (created):
  the files below, crafted.tsv and passwords.json {"file": "password"}.
  crafted.tsv: a header line, then one line per file with the columns
      file  password  expect  description  bags  derivations
    expect       what a correct reader should say: `ok` or a PKCS12Error code (corrupt, not-pkcs12,
                 unsupported-format, iteration-limit, too-many-bags, too-many-certificates, too-many-derivations)
    bags         the exact number of SafeBags in the file (safeContentsBag nesting is not used), "-" when the
                 file is not a readable PFX (PEM keys, truncated files, not-pkcs12)
    derivations  key derivations the file's structure calls for when opened with the right password first:
                 1 for the MAC check + 1 per encrypted safe + 1 per shrouded key bag (for PEM: 1 for the key).
                 For iteration-limit files this counts the capped one too, but a correct reader derives
                 nothing there: every capped parameter (MacData, a shrouded bag in a plain data safe, an
                 encrypted safe's algorithm) is visible without decrypting anything.
  The certificate key-pbes2-iter-1000.crt has its own row (expect ok, empty password, bags "-", derivations 0)
  and no entry in passwords.json.

Standard layout ("reference", as OpenSSL 3 writes it):
  PFX { INTEGER 3, ContentInfo(data) { [0] OCTET STRING { AuthenticatedSafe } }, MacData }
  AuthenticatedSafe = SEQUENCE OF ContentInfo:
    [1] data safe:       SafeContents { pkcs8ShroudedKeyBag (PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC) }
    [2] encrypted safe:  EncryptedData (PBES2 as above) of SafeContents { certBag(s) }
  MacData { DigestInfo { sha256, HMAC-SHA256 }, macSalt, iterations }, MAC key from the PKCS#12 KDF (ID 3) with
  the password as BMPString + 00 00, over the content octets of the authSafe OCTET STRING (for a constructed
  OCTET STRING, the concatenation of its chunks' contents). PBKDF2 takes the password as raw UTF-8.
  The leaf key bag and leaf cert bag carry localKeyID (SHA-1 of the leaf cert) and friendlyName "crafted".

Files:
  der-reference.pfx            ok   reference layout in DER, RSA-2048, 2048 iterations everywhere. bags 2
                                    (1 shrouded key in the data safe, 1 cert in the encrypted safe).
  ber-indefinite.pfx           ok   same content in BER as NSS/BouncyCastle write: every constructed element
                                    with indefinite length (30 80 .. 00 00, a0 80 .. 00 00, 31 80 .. 00 00),
                                    authSafe content, data-safe content and the encrypted content as constructed
                                    OCTET STRINGs (24 80 / a0 80, chunks of 1000 bytes 04 LEN .., then 00 00).
                                    The plaintexts inside the encryption are BER too. Starts 30 80 02 01 03.
  ber-long-lengths.pfx         ok   DER structure, every length written 84 00 00 00 LL (embedded certificate
                                    and PKCS#8 RSA key DER left as they are).
  pkcs8v2-shrouded-ed25519.pfx unsupported-format  Ed25519 key as RFC 5958 OneAsymmetricKey v2 (INTEGER 1,
                                    [1] IMPLICIT publicKey, tag 0x81) in a PBES2 shrouded bag; its self-signed
                                    Ed25519 cert in an encrypted safe. MAC valid. bags 2.
  pkcs8v2-plain-ed25519.pfx    unsupported-format  the same v2 key in a plain keyBag in the data safe. bags 2.
  pkcs8v1-plain-ed25519.pfx    ok   control: the same key as PKCS#8 v1 (INTEGER 0, no public key) in a keyBag.
  one-safe-per-cert.pfx        ok   like GnuTLS: leaf (signed by an intermediate CA), intermediate and root,
                                    each cert in its own encrypted safe; key shrouded in a data safe. bags 4,
                                    3 certificates.
  certs-in-plain-data.pfx      ok   data safe 1 { shrouded key }, data safe 2 { leaf, intermediate, root }.
  mac-iter-1.pfx               ok   reference layout, MacData iterations present as INTEGER 1.
  mac-iter-default.pfx         ok   reference layout, MacData iterations field omitted (DEFAULT 1).
  Budget edges (cheap: PBKDF2 1 iteration, MAC 1 iteration):
  certs-1000.pfx               ok   data safe 1 { shrouded key }, data safe 2 { leaf + 999 copies of the small
                                    EC root CA cert } = 1000 certBags; bags 1001, all in plain safes.
  certs-1001.pfx               too-many-certificates  as above with 1000 copies: 1001 certBags; bags 1002.
  bags-10000.pfx               ok   data safe { shrouded key } (the only plain bag: 1), encrypted safe
                                    (PBES2, 1 iteration) { leaf certBag + 9998 secretBags } = 9999;
                                    bags 10000 in total. secretBag = { OID 1.2.3.4, [0] OCTET STRING 'x' }.
                                    A reader that counts plain bags at a pre-scan AND in the walk counts
                                    10001 bag reads here (1 + 1 + 9999).
  bags-10001.pfx               too-many-bags  as above with 9999 secretBags: bags 10001 (plain: 1).
  safes-254.pfx                ok   data safe { shrouded key }, 254 encrypted safes (1 iteration each): the
                                    leaf cert in the first, one secretBag in each of the other 253. bags 255,
                                    derivations 1 MAC + 254 safes + 1 key = 256.
  safes-255.pfx                too-many-derivations  255 encrypted safes (254 secretBags): 257 derivations.
  Iteration caps (2^31-1 = 2147483647):
  mac-iter-2147483647.pfx      iteration-limit  MAC iterations 2^31-1, MAC value garbage; data safe
                                    { shrouded key (1 iter), leaf cert }.
  key-iter-2147483647.pfx      iteration-limit  data safe { shrouded key with PBKDF2 2^31-1 and garbage
                                    ciphertext, leaf cert }; MAC iteration 1, correct.
  safe-iter-2147483647.pfx     iteration-limit  data safe { shrouded key (1 iter), leaf cert }, plus an
                                    encrypted safe with PBKDF2 2^31-1 and garbage ciphertext; MAC correct.
  key-pbes2-iter-1000.pem      ok   ENCRYPTED PRIVATE KEY, PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC, 1000 iterations,
                                    the leaf RSA key; key-pbes2-iter-1000.crt is its certificate.
  key-pbes2-iter-2147483647.pem iteration-limit  the same header with 2^31-1 iterations, garbage ciphertext.
  key-pbes1-iter-2147483647.pem iteration-limit  pbeWithSHAAnd3-KeyTripleDES-CBC {salt, 2^31-1}, garbage.
  truncated.pfx                corrupt  der-reference.pfx cut at 60 % of its length.
  ber-truncated.pfx            corrupt  ber-indefinite.pfx cut at 60 %.
  not-pkcs12-ber.der           not-pkcs12  30 80 02 01 05 04 05 'hello' 00 00: indefinite BER, not a PFX.

Unless --no-verify is given, each file is then checked with the system `openssl` (password in a temporary
file, never on a command line) and a summary is printed: ok files must pass `pkcs12 -info -noout` and show the
key and certificates with `pkcs12 -nodes`; for the others what openssl said is reported (runs that would derive
2^31-1 iterations are cut off by a 1 s timeout).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID

PASSWORD = "crafted-pass"  # fixed test value
MAX_ITER = 2**31 - 1

# Object identifiers.
OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_SECRET_BAG = "1.2.840.113549.1.12.10.1.5"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3"
OID_ED25519 = "1.3.101.112"
OID_SECRET_TYPE = "1.2.3.4"


def fixed(label, n=16):
    """Deterministic salt/IV bytes for a label."""
    return hashlib.sha256(b"certdrop-crafted:" + label.encode()).digest()[:n]


# ---------------------------------------------------------------------------------------------------------------
# DER / BER encoder
# ---------------------------------------------------------------------------------------------------------------

class Enc:
    """Encodes TLVs in one of three modes.

    der   minimal definite lengths, SET OF sorted.
    ber   indefinite lengths on every constructed element; `wrapped` OCTET STRINGs (those that carry an encoded
          structure) become constructed, chunked into primitive 1000-byte pieces.
    long  like der, but every length is written in the non-minimal long form 84 00 00 00 LL.
    """

    CHUNK = 1000

    def __init__(self, mode="der"):
        assert mode in ("der", "ber", "long")
        self.mode = mode

    def length(self, n):
        if self.mode == "long":
            return b"\x84" + n.to_bytes(4, "big")
        if n < 0x80:
            return bytes([n])
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(body)]) + body

    def prim(self, tag, content):
        return bytes([tag]) + self.length(len(content)) + content

    def cons(self, tag, *children):
        body = b"".join(children)
        if self.mode == "ber":
            return bytes([tag]) + b"\x80" + body + b"\x00\x00"
        return bytes([tag]) + self.length(len(body)) + body

    def seq(self, *children):
        return self.cons(0x30, *children)

    def set_of(self, *children):
        if self.mode != "ber":
            children = sorted(children)
        return self.cons(0x31, *children)

    def explicit(self, n, *children):
        return self.cons(0xA0 | n, *children)

    def integer(self, v):
        n = (v.bit_length() + 8) // 8 if v >= 0 else ((-v - 1).bit_length() + 8) // 8
        return self.prim(0x02, v.to_bytes(max(n, 1), "big", signed=True))

    def oid(self, dotted):
        parts = [int(x) for x in dotted.split(".")]
        arcs = [parts[0] * 40 + parts[1]] + parts[2:]
        out = bytearray()
        for a in arcs:
            enc = [a & 0x7F]
            a >>= 7
            while a:
                enc.append(0x80 | (a & 0x7F))
                a >>= 7
            out += bytes(reversed(enc))
        return self.prim(0x06, bytes(out))

    def null_params(self):
        """The NULL parameters of an AlgorithmIdentifier (sha256, hmacWithSHA256). In long mode they are left
        out (absent parameters are valid for both): OpenSSL 3.0's asn1_get_length rejects a zero-length element
        written in long form (05 84 00 00 00 00) when it ends its container ("header too long"), an off-by-one
        strictness, not a BER rule. Every other length in the file is still 84 00 00 00 LL."""
        return b"" if self.mode == "long" else self.prim(0x05, b"")

    def octets(self, content):
        """A small primitive OCTET STRING (salt, IV, digest, key id, certificate value...)."""
        return self.prim(0x04, content)

    def wrapped(self, content, tag=0x04):
        """An OCTET STRING (or [n] IMPLICIT OCTET STRING with tag 0x80|n) holding an encoded structure or a
        ciphertext: primitive in der/long, constructed and chunked (tag | 0x20, 80, 04 LEN .., 00 00) in ber."""
        if self.mode != "ber":
            return self.prim(tag, content)
        chunks = [self.prim(0x04, content[i:i + self.CHUNK]) for i in range(0, len(content), self.CHUNK)]
        if not chunks:
            chunks = [self.prim(0x04, b"")]
        return bytes([tag | 0x20]) + b"\x80" + b"".join(chunks) + b"\x00\x00"

    def bmp(self, text):
        return self.prim(0x1E, text.encode("utf-16-be"))


DER = Enc("der")


# ---------------------------------------------------------------------------------------------------------------
# Key derivation and encryption
# ---------------------------------------------------------------------------------------------------------------

def p12_kdf(password, salt, id_byte, iterations, n, hash_name="sha256", u=32, v=64):
    """RFC 7292 appendix B.2 with the password as BMPString big-endian plus 00 00."""
    pw = password.encode("utf-16-be") + b"\x00\x00"
    D = bytes([id_byte]) * v

    def fill(data):
        if not data:
            return b""
        length = v * ((len(data) + v - 1) // v)
        return (data * (length // len(data) + 1))[:length]

    I = bytearray(fill(salt) + fill(pw))
    out = b""
    while len(out) < n:
        A = D + bytes(I)
        for _ in range(iterations):
            A = hashlib.new(hash_name, A).digest()
        out += A
        B = int.from_bytes((A * (v // u + 1))[:v], "big")
        for j in range(0, len(I), v):
            block = (int.from_bytes(I[j:j + v], "big") + B + 1) % (1 << (8 * v))
            I[j:j + v] = block.to_bytes(v, "big")
    return out[:n]


def aes256_cbc_encrypt(key, iv, plaintext):
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def pbes2_algid(E, salt, iterations, iv):
    """AlgorithmIdentifier { PBES2, { PBKDF2 { salt, iterations, prf hmacWithSHA256 }, aes-256-cbc { iv } } }."""
    pbkdf2 = E.seq(E.oid(OID_PBKDF2),
                   E.seq(E.octets(salt), E.integer(iterations), E.seq(E.oid(OID_HMAC_SHA256), E.null_params())))
    scheme = E.seq(E.oid(OID_AES256_CBC), E.octets(iv))
    return E.seq(E.oid(OID_PBES2), E.seq(pbkdf2, scheme))


def pbes1_3des_algid(E, salt, iterations):
    """AlgorithmIdentifier { pbeWithSHAAnd3-KeyTripleDES-CBC, PBEParameter { salt, iterations } }."""
    return E.seq(E.oid(OID_PBE_SHA1_3DES), E.seq(E.octets(salt), E.integer(iterations)))


def pbes2_encrypt(E, plaintext, label, iterations, password=PASSWORD):
    """Returns (AlgorithmIdentifier, ciphertext); PBKDF2 takes the password as raw UTF-8."""
    salt, iv = fixed(label + ":salt"), fixed(label + ":iv")
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)
    return pbes2_algid(E, salt, iterations, iv), aes256_cbc_encrypt(key, iv, plaintext)


def garbage(label, n=48):
    out = b""
    while len(out) < n:
        out += hashlib.sha256((label + str(len(out))).encode()).digest()
    return out[:n]


# ---------------------------------------------------------------------------------------------------------------
# PKCS#8
# ---------------------------------------------------------------------------------------------------------------

def encrypted_private_key_info(E, algid, ciphertext):
    """EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }."""
    return E.seq(algid, E.octets(ciphertext))


def ed25519_pkcs8_v1(seed):
    """PrivateKeyInfo v1 (RFC 8410): { 0, {1.3.101.112}, OCTET STRING { OCTET STRING seed } }."""
    return DER.seq(DER.integer(0), DER.seq(DER.oid(OID_ED25519)), DER.octets(DER.octets(seed)))


def ed25519_pkcs8_v2(seed, public):
    """OneAsymmetricKey v2 (RFC 5958): v1 fields with version 1 and [1] IMPLICIT BIT STRING publicKey (0x81)."""
    return DER.seq(DER.integer(1), DER.seq(DER.oid(OID_ED25519)), DER.octets(DER.octets(seed)),
                   DER.prim(0x81, b"\x00" + public))


# ---------------------------------------------------------------------------------------------------------------
# SafeBags and SafeContents
# ---------------------------------------------------------------------------------------------------------------

def bag_attributes(E, local_key_id=None, friendly_name=None):
    """SET OF Attribute { localKeyID SET { OCTET STRING }, friendlyName SET { BMPString } }, or b"" for none."""
    attrs = []
    if local_key_id is not None:
        attrs.append(E.seq(E.oid(OID_LOCAL_KEY_ID), E.set_of(E.octets(local_key_id))))
    if friendly_name is not None:
        attrs.append(E.seq(E.oid(OID_FRIENDLY_NAME), E.set_of(E.bmp(friendly_name))))
    return E.set_of(*attrs) if attrs else b""


def safe_bag(E, bag_oid, value, attrs=b""):
    """SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OPTIONAL }."""
    return E.seq(E.oid(bag_oid), E.explicit(0, value), attrs)


def key_bag(E, pkcs8_der, attrs=b""):
    return safe_bag(E, OID_KEY_BAG, pkcs8_der, attrs)


def shrouded_key_bag(E, pkcs8_der, label, iterations, attrs=b""):
    algid, ct = pbes2_encrypt(E, pkcs8_der, label, iterations)
    return safe_bag(E, OID_SHROUDED_KEY_BAG, encrypted_private_key_info(E, algid, ct), attrs)


def shrouded_key_bag_raw(E, algid, ciphertext, attrs=b""):
    return safe_bag(E, OID_SHROUDED_KEY_BAG, encrypted_private_key_info(E, algid, ciphertext), attrs)


def cert_bag(E, cert_der, attrs=b""):
    """CertBag ::= SEQUENCE { x509Certificate, certValue [0] EXPLICIT OCTET STRING }."""
    return safe_bag(E, OID_CERT_BAG, E.seq(E.oid(OID_X509_CERT), E.explicit(0, E.octets(cert_der))), attrs)


def secret_bag(E):
    """SecretBag ::= SEQUENCE { secretTypeId 1.2.3.4, secretValue [0] EXPLICIT OCTET STRING 'x' }."""
    return safe_bag(E, OID_SECRET_BAG, E.seq(E.oid(OID_SECRET_TYPE), E.explicit(0, E.octets(b"x"))))


def safe_contents(E, bags):
    return E.seq(*bags)


# ---------------------------------------------------------------------------------------------------------------
# ContentInfo, AuthenticatedSafe, MacData, PFX
# ---------------------------------------------------------------------------------------------------------------

def data_content_info(E, content):
    """ContentInfo { data, [0] EXPLICIT OCTET STRING { content } }."""
    return E.seq(E.oid(OID_DATA), E.explicit(0, E.wrapped(content)))


def encrypted_content_info(E, algid, ciphertext):
    """ContentInfo { encryptedData, [0] EXPLICIT EncryptedData { 0, EncryptedContentInfo { data, alg,
    [0] IMPLICIT OCTET STRING ciphertext } } }."""
    eci = E.seq(E.oid(OID_DATA), algid, E.wrapped(ciphertext, tag=0x80))
    return E.seq(E.oid(OID_ENCRYPTED_DATA), E.explicit(0, E.seq(E.integer(0), eci)))


def data_safe(E, bags):
    return data_content_info(E, safe_contents(E, bags))


def encrypted_safe(E, bags, label, iterations):
    algid, ct = pbes2_encrypt(E, safe_contents(E, bags), label, iterations)
    return encrypted_content_info(E, algid, ct)


def authenticated_safe(E, content_infos):
    return E.seq(*content_infos)


def mac_data(E, auth_safe, label, iterations, write_iterations=True, garbage_mac=False, password=PASSWORD):
    """MacData { DigestInfo { sha256, HMAC-SHA256 over auth_safe }, macSalt, iterations DEFAULT 1 }."""
    salt = fixed(label + ":macsalt", 8)
    if garbage_mac:
        mac = garbage(label + ":mac", 32)
    else:
        key = p12_kdf(password, salt, 3, iterations, 32)
        mac = hmac.new(key, auth_safe, hashlib.sha256).digest()
    digest_info = E.seq(E.seq(E.oid(OID_SHA256), E.null_params()), E.octets(mac))
    parts = [digest_info, E.octets(salt)]
    if write_iterations:
        parts.append(E.integer(iterations))
    return E.seq(*parts)


def pfx(E, content_infos, label, mac_iterations, **mac_kw):
    """PFX { 3, ContentInfo(data) { AuthenticatedSafe }, MacData }. The MAC is over the AuthenticatedSafe's
    encoding, which is exactly the content octets of the authSafe OCTET STRING (chunked or not)."""
    auth = authenticated_safe(E, content_infos)
    return E.seq(E.integer(3), data_content_info(E, auth), mac_data(E, auth, label, mac_iterations, **mac_kw))


# ---------------------------------------------------------------------------------------------------------------
# Keys and certificates
# ---------------------------------------------------------------------------------------------------------------

def make_cert(subject_cn, public_key, issuer_cn, signing_key, serial, ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
         .public_key(public_key)
         .serial_number(serial)
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    algorithm = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(signing_key, algorithm).public_bytes(serialization.Encoding.DER)


class Material:
    def __init__(self):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rsa_pkcs8 = self.rsa.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption())
        self.leaf = make_cert("crafted-leaf", self.rsa.public_key(), "crafted-leaf", self.rsa, 1001)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.int_key = ec.generate_private_key(ec.SECP256R1())
        self.root = make_cert("Crafted Root CA", self.root_key.public_key(), "Crafted Root CA", self.root_key,
                              2001, ca=True)
        self.intermediate = make_cert("Crafted Intermediate CA", self.int_key.public_key(), "Crafted Root CA",
                                      self.root_key, 2002, ca=True)
        self.chain_leaf = make_cert("crafted-chain-leaf", self.rsa.public_key(), "Crafted Intermediate CA",
                                    self.int_key, 2003)
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.ed_seed = self.ed.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())
        self.ed_pub = self.ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.ed_cert = make_cert("crafted-ed25519", self.ed.public_key(), "crafted-ed25519", self.ed, 3001)

    @staticmethod
    def attrs(E, cert_der):
        return bag_attributes(E, hashlib.sha1(cert_der).digest(), "crafted")


# ---------------------------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------------------------

def reference(E, m, label, mac_iterations=2048, iterations=2048, **mac_kw):
    key = shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", iterations, m.attrs(E, m.leaf))
    certs = encrypted_safe(E, [cert_bag(E, m.leaf, m.attrs(E, m.leaf))], label + ":certs", iterations)
    return pfx(E, [data_safe(E, [key]), certs], label, mac_iterations, **mac_kw)


def ed25519_file(m, label, pkcs8, shrouded):
    E = DER
    attrs = m.attrs(E, m.ed_cert)
    key = shrouded_key_bag(E, pkcs8, label + ":key", 2048, attrs) if shrouded else key_bag(E, pkcs8, attrs)
    certs = encrypted_safe(E, [cert_bag(E, m.ed_cert, attrs)], label + ":certs", 2048)
    return pfx(E, [data_safe(E, [key]), certs], label, 2048)


def one_safe_per_cert(m, label):
    E = DER
    attrs = m.attrs(E, m.chain_leaf)
    safes = [data_safe(E, [shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", 2048, attrs)])]
    for i, (der, a) in enumerate([(m.chain_leaf, attrs), (m.intermediate, b""), (m.root, b"")]):
        safes.append(encrypted_safe(E, [cert_bag(E, der, a)], f"{label}:cert{i}", 2048))
    return pfx(E, safes, label, 2048)


def certs_in_plain_data(m, label):
    E = DER
    attrs = m.attrs(E, m.chain_leaf)
    key = data_safe(E, [shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", 2048, attrs)])
    certs = data_safe(E, [cert_bag(E, m.chain_leaf, attrs), cert_bag(E, m.intermediate), cert_bag(E, m.root)])
    return pfx(E, [key, certs], label, 2048)


def cheap_key_safe(E, m, label):
    """Data safe { shrouded leaf key, PBKDF2 1 iteration }."""
    return data_safe(E, [shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", 1, m.attrs(E, m.leaf))])


def many_certs(m, label, copies):
    E = DER
    bags = [cert_bag(E, m.leaf, m.attrs(E, m.leaf))] + [cert_bag(E, m.root)] * copies
    return pfx(E, [cheap_key_safe(E, m, label), data_safe(E, bags)], label, 1)


def many_bags(m, label, secrets):
    E = DER
    bags = [cert_bag(E, m.leaf, m.attrs(E, m.leaf))] + [secret_bag(E)] * secrets
    return pfx(E, [cheap_key_safe(E, m, label), encrypted_safe(E, bags, label + ":safe", 1)], label, 1)


def many_safes(m, label, safes):
    E = DER
    cis = [cheap_key_safe(E, m, label),
           encrypted_safe(E, [cert_bag(E, m.leaf, m.attrs(E, m.leaf))], label + ":safe0", 1)]
    for i in range(1, safes):
        cis.append(encrypted_safe(E, [secret_bag(E)], f"{label}:safe{i}", 1))
    return pfx(E, cis, label, 1)


def mac_iter_max(m, label):
    E = DER
    safe = data_safe(E, [shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", 1, m.attrs(E, m.leaf)),
                         cert_bag(E, m.leaf, m.attrs(E, m.leaf))])
    return pfx(E, [safe], label, MAX_ITER, garbage_mac=True)


def key_iter_max(m, label):
    E = DER
    algid = pbes2_algid(E, fixed(label + ":salt"), MAX_ITER, fixed(label + ":iv"))
    safe = data_safe(E, [shrouded_key_bag_raw(E, algid, garbage(label, 1232), m.attrs(E, m.leaf)),
                         cert_bag(E, m.leaf, m.attrs(E, m.leaf))])
    return pfx(E, [safe], label, 1)


def safe_iter_max(m, label):
    E = DER
    safe = data_safe(E, [shrouded_key_bag(E, m.rsa_pkcs8, label + ":key", 1, m.attrs(E, m.leaf)),
                         cert_bag(E, m.leaf, m.attrs(E, m.leaf))])
    algid = pbes2_algid(E, fixed(label + ":salt"), MAX_ITER, fixed(label + ":iv"))
    return pfx(E, [safe, encrypted_content_info(E, algid, garbage(label, 1024))], label, 1)


def pem(label, der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)).encode()


def not_pkcs12_ber():
    return bytes.fromhex("308002010504056865") + b"llo" + b"\x00\x00"


def build(outdir):
    m = Material()
    files = []  # (name, bytes, password, expect, bags, derivations, description)

    def add(name, data, expect, bags, derivations, description, password=PASSWORD):
        files.append((name, data, password, expect, bags, derivations, description))

    ref = reference(DER, m, "der-reference")
    add("der-reference.pfx", ref, "ok", 2, 3,
        "DER reference: RSA-2048 shrouded key in a data safe, cert in a PBES2 safe, SHA-256 MAC, 2048 iterations")
    ber = reference(Enc("ber"), m, "ber-indefinite")
    add("ber-indefinite.pfx", ber, "ok", 2, 3,
        "BER as NSS/BouncyCastle write: indefinite lengths everywhere, constructed OCTET STRINGs in 1000-byte chunks")
    add("ber-long-lengths.pfx", reference(Enc("long"), m, "ber-long-lengths"), "ok", 2, 3,
        "DER layout with every length in non-minimal long form 84 00 00 00 LL")
    add("pkcs8v2-shrouded-ed25519.pfx",
        ed25519_file(m, "pkcs8v2-shrouded", ed25519_pkcs8_v2(m.ed_seed, m.ed_pub), True),
        "unsupported-format", 2, 3,
        "Ed25519 PKCS#8 v2 OneAsymmetricKey (version 1, [1] publicKey) in a PBES2 shrouded bag; MAC valid")
    add("pkcs8v2-plain-ed25519.pfx",
        ed25519_file(m, "pkcs8v2-plain", ed25519_pkcs8_v2(m.ed_seed, m.ed_pub), False),
        "unsupported-format", 2, 2, "Ed25519 PKCS#8 v2 key in a plain keyBag in a data safe; MAC valid")
    add("pkcs8v1-plain-ed25519.pfx",
        ed25519_file(m, "pkcs8v1-plain", ed25519_pkcs8_v1(m.ed_seed), False),
        "ok", 2, 2, "control: the same Ed25519 key as PKCS#8 v1 in a plain keyBag")
    add("one-safe-per-cert.pfx", one_safe_per_cert(m, "one-safe-per-cert"), "ok", 4, 5,
        "like GnuTLS: leaf, intermediate and root each in its own PBES2 safe; key shrouded; 3 certificates")
    add("certs-in-plain-data.pfx", certs_in_plain_data(m, "certs-in-plain-data"), "ok", 4, 2,
        "leaf, intermediate and root in a plain data safe; key shrouded in another data safe; MAC valid")
    add("mac-iter-1.pfx", reference(DER, m, "mac-iter-1", mac_iterations=1), "ok", 2, 3,
        "reference layout with MAC iterations present as INTEGER 1 (as go-pkcs12 writes)")
    add("mac-iter-default.pfx", reference(DER, m, "mac-iter-default", mac_iterations=1, write_iterations=False),
        "ok", 2, 3, "reference layout with the MacData iterations field omitted (DEFAULT 1)")
    add("certs-1000.pfx", many_certs(m, "certs-1000", 999), "ok", 1001, 2,
        "exactly 1000 certBags (leaf + 999 copies of a small CA) in a plain data safe; key shrouded, 1 iteration")
    add("certs-1001.pfx", many_certs(m, "certs-1001", 1000), "too-many-certificates", 1002, 2,
        "1001 certBags (leaf + 1000 copies of a small CA) in a plain data safe; key shrouded, 1 iteration")
    add("bags-10000.pfx", many_bags(m, "bags-10000", 9998), "ok", 10000, 3,
        "10000 bags: shrouded key (only plain bag) + PBES2 safe (1 iter) with leaf cert and 9998 secretBags")
    add("bags-10001.pfx", many_bags(m, "bags-10001", 9999), "too-many-bags", 10001, 3,
        "10001 bags: shrouded key (only plain bag) + PBES2 safe (1 iter) with leaf cert and 9999 secretBags")
    add("safes-254.pfx", many_safes(m, "safes-254", 254), "ok", 255, 256,
        "254 PBES2 safes (leaf cert + 253 single secretBags) + shrouded key + MAC = 256 derivations")
    add("safes-255.pfx", many_safes(m, "safes-255", 255), "too-many-derivations", 256, 257,
        "255 PBES2 safes (leaf cert + 254 single secretBags) + shrouded key + MAC = 257 derivations")
    add("mac-iter-2147483647.pfx", mac_iter_max(m, "mac-iter-max"), "iteration-limit", 2, 2,
        "MAC iterations 2^31-1 with a garbage MAC value; nothing should be derived")
    add("key-iter-2147483647.pfx", key_iter_max(m, "key-iter-max"), "iteration-limit", 2, 2,
        "shrouded key with PBKDF2 2^31-1 and garbage ciphertext; MAC (1 iteration) is correct")
    add("safe-iter-2147483647.pfx", safe_iter_max(m, "safe-iter-max"), "iteration-limit", 2, 3,
        "encrypted safe with PBKDF2 2^31-1 and garbage ciphertext next to a good data safe; MAC correct")

    algid, ct = pbes2_encrypt(DER, m.rsa_pkcs8, "pem-1000", 1000)
    add("key-pbes2-iter-1000.pem", pem("ENCRYPTED PRIVATE KEY", encrypted_private_key_info(DER, algid, ct)),
        "ok", "-", 1, "ENCRYPTED PRIVATE KEY, PBES2 AES-256-CBC PBKDF2-SHA256 1000 iterations; cert in the .crt")
    add("key-pbes2-iter-1000.crt", pem("CERTIFICATE", m.leaf), "ok", "-", 0,
        "the certificate matching key-pbes2-iter-1000.pem", password="")
    algid = pbes2_algid(DER, fixed("pem-max:salt"), MAX_ITER, fixed("pem-max:iv"))
    add("key-pbes2-iter-2147483647.pem",
        pem("ENCRYPTED PRIVATE KEY", encrypted_private_key_info(DER, algid, garbage("pem-max", 1232))),
        "iteration-limit", "-", 1, "ENCRYPTED PRIVATE KEY, PBES2 with PBKDF2 2^31-1 iterations, garbage ciphertext")
    algid = pbes1_3des_algid(DER, fixed("pem-pbes1:salt", 8), MAX_ITER)
    add("key-pbes1-iter-2147483647.pem",
        pem("ENCRYPTED PRIVATE KEY", encrypted_private_key_info(DER, algid, garbage("pem-pbes1", 1224))),
        "iteration-limit", "-", 1, "ENCRYPTED PRIVATE KEY, PBES1 pbeWithSHAAnd3-KeyTripleDES-CBC 2^31-1 iterations")

    add("truncated.pfx", ref[:len(ref) * 60 // 100], "corrupt", "-", "-", "der-reference.pfx cut at 60 %")
    add("ber-truncated.pfx", ber[:len(ber) * 60 // 100], "corrupt", "-", "-", "ber-indefinite.pfx cut at 60 %")
    add("not-pkcs12-ber.der", not_pkcs12_ber(), "not-pkcs12", "-", "-",
        "indefinite-length BER SEQUENCE { INTEGER 5, OCTET STRING 'hello' }, not a PFX")

    os.makedirs(outdir, exist_ok=True)
    for name, data, *_ in files:
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    with open(os.path.join(outdir, "crafted.tsv"), "w") as f:
        f.write("file\tpassword\texpect\tdescription\tbags\tderivations\n")
        for name, _, password, expect, bags, derivations, description in files:
            f.write(f"{name}\t{password}\t{expect}\t{description}\t{bags}\t{derivations}\n")
    with open(os.path.join(outdir, "passwords.json"), "w") as f:
        json.dump({name: password for name, _, password, *_ in files if password}, f, indent=2, sort_keys=True)
        f.write("\n")
    return files


# ---------------------------------------------------------------------------------------------------------------
# Verification with the system openssl
# ---------------------------------------------------------------------------------------------------------------

def run(args, timeout=60):
    try:
        p = subprocess.run(args, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        return "timeout", out, err


def first_error(err):
    for line in err.splitlines():
        if "error:" in line:
            return ":".join(line.split(":")[4:6])  # e.g. "asn1_d2i_read_bio:not enough data"
    return err.strip().splitlines()[-1][:150] if err.strip() else ""


EXPECTED_CERTS = {"one-safe-per-cert.pfx": 3, "certs-in-plain-data.pfx": 3, "certs-1000.pfx": 1000,
                  "certs-1001.pfx": 1001}


def mac_passed(err):
    """`pkcs12 -info` prints the MAC line, verifies, then dumps the safes ("PKCS7 ..."); no "MAC verified OK" in 3.0."""
    return "MAC:" in err and "Mac verify error" not in err and "PKCS7" in err


def verify_one(path, name, expect, pw):
    """Returns (as_expected, what openssl said)."""
    p12 = ["openssl", "pkcs12", "-in", path]
    if name.endswith(".pfx") and expect in ("ok", "too-many-certificates", "too-many-bags", "too-many-derivations"):
        rc1, _, err1 = run(p12 + ["-info", "-noout"] + pw)
        rc2, out2, err2 = run(p12 + ["-nodes"] + pw)
        certs, key = out2.count("BEGIN CERTIFICATE"), "BEGIN PRIVATE KEY" in out2
        want = EXPECTED_CERTS.get(name, 1)
        good = rc1 == 0 and mac_passed(err1) and rc2 == 0 and key and certs == want
        note = "openssl has no cap; " if expect != "ok" else ""
        return good, (f"{note}-info rc {rc1} MAC {'ok' if mac_passed(err1) else 'FAILED'}; "
                      f"-nodes rc {rc2}: key {'yes' if key else 'NO'}, {certs} cert(s) (want {want})")
    if name.endswith(".pfx") and expect == "unsupported-format":
        rc1, _, err1 = run(p12 + ["-info", "-noout"] + pw)
        rc2, out2, err2 = run(p12 + ["-nodes"] + pw)
        key = "BEGIN PRIVATE KEY" in out2
        field = next((l.split(":")[-1] for l in err2.splitlines() if "Field=" in l), first_error(err2))
        good = mac_passed(err1) and rc2 != 0 and not key
        return good, (f"-info rc {rc1} MAC {'ok' if mac_passed(err1) else 'FAILED'}; "
                      f"-nodes rc {rc2}, no key, fails at {field}")
    if name.endswith(".pfx") and expect == "iteration-limit":
        extra = ["-nokeys"] if name.startswith("key-iter") else []
        rc1, _, err1 = run(p12 + ["-info", "-noout"] + extra + pw, timeout=1)
        its = [l.strip() for l in err1.splitlines() if "Iteration" in l]
        said = f"-info{' -nokeys' if extra else ''} rc {rc1}" + (" MAC ok" if mac_passed(err1) else "")
        said += " [" + " | ".join(its) + "]"
        good = "2147483647" in " ".join(its)
        if name.startswith("key-iter"):
            rc2, _, _ = run(p12 + ["-nodes"] + pw, timeout=1)
            said += f"; -nodes rc {rc2}"
            good = good and rc1 == 0 and mac_passed(err1) and rc2 == "timeout"
        else:
            good = good and rc1 == "timeout"
            if name.startswith("safe-iter"):
                good = good and mac_passed(err1)
        return good, said
    if name.endswith(".pem") and expect == "ok":
        crt = path[:-4] + ".crt"
        rc1, out1, _ = run(["openssl", "pkey", "-in", path, "-pubout"] + pw)
        rc2, out2, _ = run(["openssl", "x509", "-in", crt, "-pubkey", "-noout"])
        rc3, out3, _ = run(["openssl", "asn1parse", "-in", path])
        iters = [l.split(":")[-1] for l in out3.splitlines() if "INTEGER" in l]
        match = rc1 == 0 and rc2 == 0 and out1 == out2
        return match, (f"pkey rc {rc1}, iterations {iters}, public key "
                       f"{'matches' if match else 'DOES NOT match'} {os.path.basename(crt)}")
    if name.endswith(".pem"):
        rc1, out1, _ = run(["openssl", "asn1parse", "-in", path])
        objs = [l.split(":")[-1] for l in out1.splitlines() if "OBJECT" in l]
        iters = [l.split(":")[-1] for l in out1.splitlines() if "INTEGER" in l]
        rc2, _, _ = run(["openssl", "pkey", "-in", path, "-noout"] + pw, timeout=1)
        good = rc1 == 0 and iters == ["7FFFFFFF"] and rc2 == "timeout"
        return good, f"asn1parse rc {rc1} {objs} iterations {iters}; pkey rc {rc2}"
    if name.endswith(".crt"):
        rc1, out1, _ = run(["openssl", "x509", "-in", path, "-noout", "-subject"])
        return rc1 == 0, f"x509 rc {rc1}: {out1.strip()}"
    rc1, _, err1 = run(p12 + ["-info", "-noout"] + pw)  # corrupt / not-pkcs12
    return rc1 != 0, f"-info rc {rc1}: {first_error(err1)}"


def verify(outdir, files):
    fd, pwfile = tempfile.mkstemp(prefix="crafted-pw-")
    os.write(fd, PASSWORD.encode() + b"\n")
    os.close(fd)
    failures = 0
    try:
        for name, _, _, expect, *_ in files:
            good, said = verify_one(os.path.join(outdir, name), name, expect, ["-passin", "file:" + pwfile])
            failures += 0 if good else 1
            print(f"{'PASS' if good else 'FAIL'}  {name:30} {expect:21} {said}")
    finally:
        os.unlink(pwfile)
    return failures


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outdir = args[0]
    files = build(outdir)
    print(f"wrote {len(files)} files, crafted.tsv and passwords.json to {outdir}", flush=True)
    if "--no-verify" in argv:
        return 0
    if shutil.which("openssl") is None:
        print("openssl not found: files not verified")
        return 0
    failures = verify(outdir, files)
    print(f"{len(files) - failures} of {len(files)} checks as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
