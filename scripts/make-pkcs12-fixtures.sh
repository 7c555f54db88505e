#!/usr/bin/env bash
# make-pkcs12-fixtures.sh OUTDIR
#
# Generates the PKCS#12 (.pfx) and PEM fixtures that CertDrop's tests use. Everything is made fresh
# with the openssl CLI (OpenSSL 3.x; `-legacy` needs the legacy provider), bash, coreutils and the
# python3 standard library; the helpers it shares with make-interop-fixtures.sh are in
# scripts/lib/fixture-pki.sh. OUTDIR is replaced only at the end, and only if it is empty or an earlier
# output of this script (it has a fixtures.tsv); a failed run leaves it as it was. Outputs:
#   OUTDIR/*.pfx, OUTDIR/sidecar.pfx.password, OUTDIR/bundle/*   the fixtures
#   OUTDIR/passwords.json   file name -> password (exact UTF-8), plus "*": fallback candidates
#   OUTDIR/fixtures.tsv     file name <TAB> short description, one line per fixture file
#
# Passwords never appear on an openssl command line: each is written with printf (exact bytes, no
# trailing newline) to a file in a private temp dir and passed as -passout/-passin file:F. The empty
# password is the one exception to "no newline": openssl reads the first line of the file and fails on
# a zero-byte file ("Error reading password from BIO"), so that file holds a single "\n", which it strips.
#
# PKI: root "CN=CertDrop Test Root CA, O=CertDrop Test" (7300 days) -> intermediate
# "CN=CertDrop Test Intermediate CA" (5475 days) -> leaves "CN=<name>.certdrop.test, O=CertDrop Test"
# (3650 days unless noted). The CAs live longer than the leaves so that no leaf outlives its issuer.
# Key reuse (for speed): the CA-issued RSA leaves in the .pfx files share one RSA-2048 key. The
# self-signed leaf and every bundle/ certificate have keys of their own, so that no loose key in
# bundle/ matches a certificate it is not meant to match.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/fixture-pki.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/fixture-pki.sh"

[ $# -eq 1 ] || usage
[ -n "$1" ] || usage
require_openssl3 "needed for -legacy / RC2-40"

# Builds in the staging directory $OUT, with the private temp dir $T; publish_outdir moves it to OUTDIR.
stage_outdir "$1" fixtures.tsv certdrop-fx
mkdir -p "$OUT/bundle"
mkdir -p "$T/ca/new"
: >"$T/ca/index.txt"
openssl rand -hex 16 >"$T/ca/serial"
: >"$T/listed.tsv"
: >"$T/fixtures.tsv"

# Run openssl quietly; on failure show its stderr and stop.
ossl() {
    if ! openssl "$@" 2>"$T/err"; then
        echo "$0: openssl $1 failed:" >&2
        cat "$T/err" >&2
        return 1
    fi
}

# listpw NAME PASSWORD: the entry passwords.json gets for NAME.
listpw() { printf '%s\t%s\n' "$1" "$2" >>"$T/listed.tsv"; }
# describe NAME TEXT: a line of fixtures.tsv.
describe() { printf '%s\t%s\n' "$1" "$2" >>"$T/fixtures.tsv"; }

# The shared request and extension sections (ext_root, ext_int, ext_leaf_rsa, ext_leaf_sig), then ours.
CFG="$T/openssl.cnf"
write_cnf
cat >>"$CFG" <<EOF

[ ext_self ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash

# "openssl ca" is used only for explicit -startdate/-enddate windows (x509/req have no such option
# in OpenSSL 3.0). The SAN comes from the request (copy_extensions), the rest from -extensions.
[ ca ]
default_ca = ca_int

[ ca_int ]
database         = $T/ca/index.txt
new_certs_dir    = $T/ca/new
serial           = $T/ca/serial
certificate      = $T/int.crt
private_key      = $T/int.key
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = copy

[ policy_any ]
countryName       = optional
organizationName  = optional
commonName        = supplied
EOF

# ---------------------------------------------------------------- keys and CAs
genrsa "$T/root.key" 2048
genrsa "$T/int.key" 2048
genrsa "$T/rsa.key" 2048      # shared by the CA-issued RSA leaves in the .pfx files
genrsa "$T/self.key" 2048
genrsa "$T/weak.key" 1024
genec "$T/p256.key" P-256
genec "$T/p384.key" P-384

make_cas "CertDrop Test" "$T" "$T/chain.pem"   # $T/root.crt, $T/int.crt

# leaf OUT.crt KEY NAME [EXTSECT]: CA-issued leaf "CN=NAME.certdrop.test, O=CertDrop Test" with a SAN.
# Environment knobs: DAYS (default 3650), MD (default sha256), SUBJ (replaces the subject; no SAN then).
leaf() {
    local out=$1 key=$2 name=$3 ext=${4:-ext_leaf_rsa}
    local subj=${SUBJ:-"/O=CertDrop Test/CN=$name.certdrop.test"}
    local san=()
    [ -n "${SUBJ:-}" ] || san=(-addext "subjectAltName=DNS:$name.certdrop.test")
    ossl req -new -utf8 -config "$CFG" -key "$key" -subj "$subj" "${san[@]}" \
        -CA "$T/int.crt" -CAkey "$T/int.key" -days "${DAYS:-3650}" "-${MD:-sha256}" \
        -set_serial "$(serial)" -extensions "$ext" -out "$out"
}

# leaf_window OUT.crt KEY NAME START END: like leaf, with explicit notBefore/notAfter (YYYYMMDDHHMMSSZ).
leaf_window() {
    local out=$1 key=$2 name=$3 start=$4 end=$5
    ossl req -new -utf8 -config "$CFG" -key "$key" -subj "/O=CertDrop Test/CN=$name.certdrop.test" \
        -addext "subjectAltName=DNS:$name.certdrop.test" -out "$T/$name.csr"
    ossl ca -config "$CFG" -batch -notext -preserveDN -rand_serial -md sha256 \
        -extensions ext_leaf_rsa -startdate "$start" -enddate "$end" \
        -in "$T/$name.csr" -out "$out"
}

# p12 FILE PWFILE CERT KEY|- CHAIN|- FRIENDLYNAME [extra pkcs12 -export options...]
p12() {
    local file=$1 pw=$2 cert=$3 key=$4 chain=$5 fname=$6
    shift 6
    local args=(pkcs12 -export -out "$OUT/$file" -in "$cert" -passout "file:$pw" -name "$fname")
    if [ "$key" = - ]; then args+=(-nokeys); else args+=(-inkey "$key"); fi
    [ "$chain" = - ] || args+=(-certfile "$T/chain.pem")
    ossl "${args[@]}" "$@"
}

# std NAME PASSWORD [extra pkcs12 options...]: shared-key RSA leaf NAME.certdrop.test + chain.
std() {
    local name=$1 pw=$2
    shift 2
    leaf "$T/$name.crt" "$T/rsa.key" "$name"
    p12 "$name.pfx" "$(pwfile "$name.pfx" "$pw")" "$T/$name.crt" "$T/rsa.key" chain "$name" "$@"
    listpw "$name.pfx" "$pw"
}

# ---------------------------------------------------------------- PKCS#12 files
# 1-2. OpenSSL 3 defaults: PBES2 AES-256-CBC / PBKDF2-HMAC-SHA256, 2048 iterations, SHA-256 MAC.
leaf "$T/rsa-default.crt" "$T/rsa.key" rsa-default
p12 rsa-default.pfx "$(pwfile rsa-default.pfx rsa-default-pw)" "$T/rsa-default.crt" "$T/rsa.key" chain "rsa default"
listpw rsa-default.pfx rsa-default-pw
describe rsa-default.pfx "OpenSSL 3 defaults (AES-256-CBC/PBKDF2-SHA256, 2048 iter, SHA-256 MAC); RSA-2048 key + leaf + intermediate + root; friendlyName 'rsa default'"
cp "$OUT/rsa-default.pfx" "$OUT/rsa-default-copy.pfx"
listpw rsa-default-copy.pfx rsa-default-pw
describe rsa-default-copy.pfx "byte copy of rsa-default.pfx (same thumbprint: a duplicate)"

# 3. -legacy: RC2-40 certificate bag, 3DES key bag, SHA-1 MAC (needs the legacy provider to read).
std rsa-legacy legacy-pw -legacy
describe rsa-legacy.pfx "-legacy: pbeWithSHA1And40BitRC2-CBC certs, pbeWithSHA1And3-KeyTripleDES-CBC key, SHA-1 MAC, 2048 iter"

# 4. Windows style.
std rsa-3des 3des-pw -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -iter 2000
describe rsa-3des.pfx "Windows style: PBE-SHA1-3DES for key and certs, SHA-1 MAC, 2000 iter"

# 5. keytool (JDK 17+) style.
std java-aes java-pw -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 10000
describe java-aes.pfx "keytool JDK17 style: AES-256-CBC/PBKDF2-SHA256, 10000 iter, SHA-256 MAC"

# 6-7. EC leaves (signed by the RSA intermediate).
leaf "$T/ec-p256.crt" "$T/p256.key" ec-p256 ext_leaf_sig
p12 ec-p256.pfx "$(pwfile ec-p256.pfx ec-pw)" "$T/ec-p256.crt" "$T/p256.key" chain ec-p256
listpw ec-p256.pfx ec-pw
describe ec-p256.pfx "EC prime256v1 leaf key + chain, OpenSSL 3 defaults"
leaf "$T/ec-p384.crt" "$T/p384.key" ec-p384 ext_leaf_sig
p12 ec-p384.pfx "$(pwfile ec-p384.pfx ec-pw)" "$T/ec-p384.crt" "$T/p384.key" chain ec-p384
listpw ec-p384.pfx ec-pw
describe ec-p384.pfx "EC secp384r1 leaf key + chain, OpenSSL 3 defaults"

# 8. No MAC, bags encrypted as usual. OpenSSL 3.0's -nomac alone also leaves the certificate bag
#    unencrypted, hence the explicit -certpbe (it must come after -nomac). (OpenSSL 3.0's
#    PKCS12_parse refuses this file with a non-empty password, "mac absent"; the CLI reads it.)
std no-mac nomac-pw -nomac -certpbe AES-256-CBC
describe no-mac.pfx "-nomac: no integrity MAC, bags AES-256 encrypted with the password"

# 9. Neither MAC nor encryption: opens with any password.
std unprotected anything -nomac -keypbe NONE -certpbe NONE
describe unprotected.pfx "-nomac -keypbe NONE -certpbe NONE: plain bags, no MAC (any password works)"

# 10. Empty password (see the header about the password file).
std empty-password ""
describe empty-password.pfx "password is the empty string"

# 11. Non-ASCII UTF-8 (NFC) password "pässwörd-Zürich".
std non-ascii-password $'p\xc3\xa4ssw\xc3\xb6rd-Z\xc3\xbcrich'
describe non-ascii-password.pfx "password 'pässwörd-Zürich' (UTF-8, NFC)"

# 12. Password bytes are NFD "pässwörd" (a U+0308, o U+0308); passwords.json lists the NFC form.
leaf "$T/nfd-password.crt" "$T/rsa.key" nfd-password
p12 nfd-password.pfx "$(pwfile nfd-password.pfx $'pa\xcc\x88sswo\xcc\x88rd')" \
    "$T/nfd-password.crt" "$T/rsa.key" chain nfd-password
listpw nfd-password.pfx $'p\xc3\xa4ssw\xc3\xb6rd'
describe nfd-password.pfx "made with the NFD bytes of 'pässwörd'; passwords.json lists the NFC form (MAC fails with NFC)"

# 13. Password bytes are Latin-1 "pässwort" (0xE4); passwords.json lists UTF-8. The MAC (BMPString
#     from the bytes, invalid UTF-8 read as Latin-1) passes with the UTF-8 form; the AES bags
#     (PBKDF2 over raw bytes) then fail to decrypt.
leaf "$T/latin1-password.crt" "$T/rsa.key" latin1-password
p12 latin1-password.pfx "$(pwfile latin1-password.pfx $'p\xe4sswort')" \
    "$T/latin1-password.crt" "$T/rsa.key" chain latin1-password
listpw latin1-password.pfx $'p\xc3\xa4sswort'
describe latin1-password.pfx "made with Latin-1 bytes of 'pässwort' (0xE4); passwords.json lists UTF-8 (MAC passes, AES decrypt fails)"

# 14. Self-signed leaf (CA:FALSE), own key, key + cert only.
ossl req -new -x509 -utf8 -config "$CFG" -key "$T/self.key" -subj "/O=CertDrop Test/CN=self-signed.certdrop.test" \
    -addext "subjectAltName=DNS:self-signed.certdrop.test" \
    -days 3650 -sha256 -set_serial "$(serial)" -extensions ext_self -out "$T/self-signed.crt"
p12 self-signed.pfx "$(pwfile self-signed.pfx self-pw)" "$T/self-signed.crt" "$T/self.key" - self-signed
listpw self-signed.pfx self-pw
describe self-signed.pfx "self-signed leaf (CA:FALSE, no keyCertSign), key + cert only, no chain"

# 15-17. Validity windows.
leaf_window "$T/expired.crt" "$T/rsa.key" expired 20200101000000Z 20210101000000Z
p12 expired.pfx "$(pwfile expired.pfx expired-pw)" "$T/expired.crt" "$T/rsa.key" chain expired
listpw expired.pfx expired-pw
describe expired.pfx "leaf valid 2020-01-01 to 2021-01-01 (expired)"
leaf_window "$T/not-yet-valid.crt" "$T/rsa.key" not-yet-valid 20900101000000Z 20950101000000Z
p12 not-yet-valid.pfx "$(pwfile not-yet-valid.pfx future-pw)" "$T/not-yet-valid.crt" "$T/rsa.key" chain not-yet-valid
listpw not-yet-valid.pfx future-pw
describe not-yet-valid.pfx "leaf valid 2090-01-01 to 2095-01-01 (not yet valid)"
DAYS=10 leaf "$T/expiring-soon.crt" "$T/rsa.key" expiring-soon
p12 expiring-soon.pfx "$(pwfile expiring-soon.pfx soon-pw)" "$T/expiring-soon.crt" "$T/rsa.key" chain expiring-soon
listpw expiring-soon.pfx soon-pw
describe expiring-soon.pfx "leaf expires 10 days after generation"

# 18. Certificates only.
leaf "$T/cert-only.crt" "$T/rsa.key" cert-only
p12 cert-only.pfx "$(pwfile cert-only.pfx certonly-pw)" "$T/cert-only.crt" - chain cert-only
listpw cert-only.pfx certonly-pw
describe cert-only.pfx "-nokeys: leaf + intermediate + root, no private key"

# 19. RSA-1024 leaf key.
leaf "$T/weak-key.crt" "$T/weak.key" weak-key
p12 weak-key.pfx "$(pwfile weak-key.pfx weak-pw)" "$T/weak-key.crt" "$T/weak.key" chain weak-key
listpw weak-key.pfx weak-pw
describe weak-key.pfx "RSA-1024 leaf key"

# 20. Leaf signed with SHA-1 (OpenSSL 3.0 still signs with -sha1; only verification at higher
#     security levels refuses it).
MD=sha1 leaf "$T/weak-signature.crt" "$T/rsa.key" weak-signature
p12 weak-signature.pfx "$(pwfile weak-signature.pfx sha1-pw)" "$T/weak-signature.crt" "$T/rsa.key" chain weak-signature
listpw weak-signature.pfx sha1-pw
describe weak-signature.pfx "leaf signed sha1WithRSAEncryption by the intermediate"

# 21. Key bag unencrypted (keyBag, not shroudedKeyBag); certificate bag and MAC as default.
std unencrypted-key plainkey-pw -keypbe NONE
describe unencrypted-key.pfx "-keypbe NONE: plain keyBag; cert bag AES-256 encrypted, SHA-256 MAC"

# 22. Iteration count over the 1,000,000 cap (encryption and MAC). Slow on purpose: keep only one.
std high-iterations slow-pw -iter 1500000
describe high-iterations.pfx "-iter 1500000 for encryption and MAC (over the 1,000,000 cap)"

# 23. UTF8String subject CN=Zürich Test, O=Exämple GmbH, C=CH (no SAN).
SUBJ=$'/C=CH/O=Ex\xc3\xa4mple GmbH/CN=Z\xc3\xbcrich Test' leaf "$T/utf8-subject.crt" "$T/rsa.key" utf8-subject
p12 utf8-subject.pfx "$(pwfile utf8-subject.pfx utf8-pw)" "$T/utf8-subject.crt" "$T/rsa.key" chain "utf8 subject"
listpw utf8-subject.pfx utf8-pw
describe utf8-subject.pfx "leaf subject 'CN=Zürich Test, O=Exämple GmbH, C=CH' (UTF8String O and CN)"

# 24. Made with "right-pw"; passwords.json lists a wrong one.
leaf "$T/wrong-password.crt" "$T/rsa.key" wrong-password
p12 wrong-password.pfx "$(pwfile wrong-password.pfx right-pw)" "$T/wrong-password.crt" "$T/rsa.key" chain wrong-password
listpw wrong-password.pfx not-the-password
describe wrong-password.pfx "made with 'right-pw'; passwords.json lists 'not-the-password' (MAC verify failure)"

# 25. Not PKCS#12: PEM certificate text.
cp "$T/rsa-default.crt" "$OUT/not-pkcs12.pfx"
listpw not-pkcs12.pfx not-pkcs12-pw
describe not-pkcs12.pfx "PEM certificate text under a .pfx name (not PKCS#12)"

# 26. Truncated: first 60% of rsa-default.pfx.
size=$(wc -c <"$OUT/rsa-default.pfx")
head -c $((size * 60 / 100)) "$OUT/rsa-default.pfx" >"$OUT/corrupt.pfx"
listpw corrupt.pfx rsa-default-pw
describe corrupt.pfx "first 60% of the bytes of rsa-default.pfx (truncated DER); its real password is listed"

# 27. Password in a sidecar file (with a trailing newline); not in passwords.json.
leaf "$T/sidecar.crt" "$T/rsa.key" sidecar
p12 sidecar.pfx "$(pwfile sidecar.pfx sidecar-pw)" "$T/sidecar.crt" "$T/rsa.key" chain sidecar
printf '%s\n' sidecar-pw >"$OUT/sidecar.pfx.password"
describe sidecar.pfx "password only in sidecar.pfx.password (not in passwords.json)"
describe sidecar.pfx.password "sidecar password file: 'sidecar-pw' followed by a newline"

# ---------------------------------------------------------------- PEM bundle material
B="$OUT/bundle"
genrsa "$T/bundle.key" 2048
leaf "$B/leaf.crt" "$T/bundle.key" bundle-leaf
ossl pkey -in "$T/bundle.key" -out "$B/leaf.key"   # unencrypted PKCS#8 ("BEGIN PRIVATE KEY")
ossl x509 -in "$B/leaf.crt" -outform DER -out "$B/leaf.der"
cat "$B/leaf.crt" "$B/leaf.key" "$T/int.crt" "$T/root.crt" >"$B/combined.pem"
describe bundle/leaf.crt "PEM leaf bundle-leaf.certdrop.test (RSA-2048, own key)"
describe bundle/leaf.key "its key, unencrypted PKCS#8 PEM"
describe bundle/leaf.der "bundle/leaf.crt in DER"
describe bundle/combined.pem "leaf cert + unencrypted key + intermediate + root, one PEM file"

genec "$T/enc.key" P-256
leaf "$B/encrypted.crt" "$T/enc.key" bundle-encrypted ext_leaf_sig
ossl pkcs8 -topk8 -in "$T/enc.key" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
    -passout "file:$(pwfile bundle/encrypted.key pem-pw)" -out "$B/encrypted.key"
listpw bundle/encrypted.key pem-pw
describe bundle/encrypted.crt "PEM leaf bundle-encrypted.certdrop.test (EC P-256)"
describe bundle/encrypted.key "its key, encrypted PKCS#8 PEM (PBES2 AES-256-CBC, PBKDF2-SHA256), password pem-pw"

genec "$T/orphan.key" P-256
leaf "$B/orphan.crt" "$T/orphan.key" bundle-orphan ext_leaf_sig
describe bundle/orphan.crt "PEM leaf bundle-orphan.certdrop.test whose key is nowhere (EC P-256)"

# ---------------------------------------------------------------- passwords.json, fixtures.tsv
printf '%s\n' candidate-a candidate-b >"$T/candidates"   # the "*" fallback candidates
write_passwords "$T/listed.tsv" "$OUT/passwords.json" "$T/candidates"
cp "$T/fixtures.tsv" "$OUT/fixtures.tsv"

publish_outdir   # files 0644 (openssl writes some 0600), directories 0755
echo "fixtures written to $FINAL ($(wc -l <"$FINAL/fixtures.tsv") files)" >&2
