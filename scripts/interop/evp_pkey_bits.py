"""Prints EVP_PKEY_get_bits of a DER SubjectPublicKeyInfo, asked of the system's libcrypto.

    python3 evp_pkey_bits.py PUBKEY.der

The openssl CLI prints no size for Ed25519 and Ed448 keys; this is the size every OpenSSL API caller sees
(OpenSSL 3.0: 256 for Ed25519, 456 for Ed448, 253 for X25519).
"""

import ctypes
import ctypes.util
import sys


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    name = ctypes.util.find_library("crypto")
    if name is None:
        print("evp_pkey_bits: libcrypto not found", file=sys.stderr)
        return 1
    lib = ctypes.CDLL(name)
    lib.d2i_PUBKEY.restype = ctypes.c_void_p
    lib.d2i_PUBKEY.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
    lib.EVP_PKEY_get_bits.restype = ctypes.c_int
    lib.EVP_PKEY_get_bits.argtypes = [ctypes.c_void_p]
    lib.EVP_PKEY_free.argtypes = [ctypes.c_void_p]
    with open(argv[1], "rb") as f:
        der = f.read()
    cursor = ctypes.c_char_p(der)
    key = lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(der))
    if not key:
        print("evp_pkey_bits: not a public key", file=sys.stderr)
        return 1
    print(lib.EVP_PKEY_get_bits(key))
    lib.EVP_PKEY_free(key)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
