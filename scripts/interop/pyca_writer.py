"""A PKCS#12 writer that uses pyca `cryptography`, as a Python application would.

    python3 pyca_writer.py --version
    python3 pyca_writer.py MODE KEY.pem CHAIN.pem NAME PASSWORD-FILE OUT.p12

MODE:
  best      serialize_key_and_certificates(..., BestAvailableEncryption(password))
  legacy    PrivateFormat.PKCS12 builder: PBESv1SHA1And3KeyTripleDESCBC, SHA-1 MAC, 50000 rounds
  rounds=N  PrivateFormat.PKCS12 builder: PBESv2SHA256AndAES256CBC, SHA-256 MAC, N rounds
  none      serialize_key_and_certificates(..., NoEncryption()); PASSWORD-FILE must be empty

KEY.pem is an unencrypted PKCS#8 key, CHAIN.pem holds the leaf first, then its CAs. The password is the
whole content of PASSWORD-FILE (UTF-8 bytes), never an argument.
"""

import sys

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12


def main(argv):
    if argv[1:] == ["--version"]:
        print(cryptography.__version__)
        return 0
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    mode, key_path, chain_path, name, password_path, out_path = argv[1:]
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with open(chain_path, "rb") as f:
        chain = x509.load_pem_x509_certificates(f.read())
    with open(password_path, "rb") as f:
        password = f.read()

    if mode == "best":
        encryption = serialization.BestAvailableEncryption(password)
    elif mode == "legacy":
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(50000)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password)
        )
    elif mode.startswith("rounds="):
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(int(mode.split("=", 1)[1]))
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password)
        )
    elif mode == "none":
        if password:
            print("pyca_writer: mode 'none' takes an empty password file", file=sys.stderr)
            return 2
        encryption = serialization.NoEncryption()
    else:
        print(f"pyca_writer: unknown mode {mode!r}", file=sys.stderr)
        return 2

    data = pkcs12.serialize_key_and_certificates(name.encode(), key, chain[0], chain[1:], encryption)
    with open(out_path, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
