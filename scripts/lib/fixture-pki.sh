# shellcheck shell=bash
# scripts/lib/fixture-pki.sh: helpers shared by the fixture generators make-pkcs12-fixtures.sh and
# make-interop-fixtures.sh, which source it (after `set -euo pipefail`). It defines functions only; the
# generator keeps its own `ossl` (the two run openssl quietly in different ways), which the functions
# here call. Globals: stage_outdir sets FINAL, OUT and T; CFG is the openssl config that write_cnf writes.
#   usage, die                       the generators' usage (`$0 OUTDIR`) and fatal-error messages
#   require_openssl3 WHY             openssl 3.x with the legacy provider (WHY says what for) and python3
#   stage_outdir OUTDIR INDEX TMP    checks OUTDIR, makes the staging dir OUT and the private temp dir T
#   publish_outdir                   replaces OUTDIR with the staging dir
#   serial, pwfile NAME BYTES        a random certificate serial; a password file for openssl
#   write_cnf                        the openssl config's request and extension sections
#   genrsa, genec, make_cas          keys; the root and intermediate CA
#   write_passwords LISTED JSON [CANDIDATES]     passwords.json from NAME <TAB> PASSWORD lines
# Passwords never appear on a command line: pwfile writes them to files in $T/pw.

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
die() { echo "$0: $*" >&2; exit 1; }

# require_openssl3 WHY: stops unless openssl (3.x, with the legacy provider: WHY) and python3 are there.
require_openssl3() {
    command -v openssl >/dev/null || die "openssl not found"
    command -v python3 >/dev/null || die "python3 not found"
    case "$(openssl version)" in
        "OpenSSL 3."*) ;;
        *) die "need OpenSSL 3.x, found: $(openssl version)" ;;
    esac
    openssl list -providers -provider legacy -provider default >/dev/null 2>&1 \
        || die "the OpenSSL legacy provider cannot be loaded ($1)"
}

# stage_outdir OUTDIR INDEX TMPNAME: OUTDIR is replaced only at the end (publish_outdir), and only if it
# looks like an earlier output of the generator (it has the index file INDEX) or is empty. The files are
# built in a staging directory next to it, OUT, so a failed run leaves OUTDIR as it was. Sets FINAL (the
# OUTDIR), OUT and T (a private temp dir ${TMPDIR:-/tmp}/TMPNAME.XXXXXX with T/pw for pwfile); both
# are removed on exit.
stage_outdir() {
    local index=$2 tmpname=$3
    OUT=${1%/}
    case "$OUT" in
        "" | . | .. | "$HOME") die "refusing to use '$1' as OUTDIR" ;;
    esac
    if [ -e "$OUT" ] || [ -L "$OUT" ]; then
        [ -d "$OUT" ] && [ ! -L "$OUT" ] || die "'$OUT' exists and is not a directory"
        if [ -n "$(ls -A -- "$OUT")" ] && [ ! -f "$OUT/$index" ]; then
            die "'$OUT' is not empty and has no $index; refusing to wipe it"
        fi
    fi
    FINAL=$OUT
    mkdir -p -- "$(dirname -- "$FINAL")"
    T=$(mktemp -d "${TMPDIR:-/tmp}/$tmpname.XXXXXX")
    OUT=$(mktemp -d "$(dirname -- "$FINAL")/.$(basename -- "$FINAL").new.XXXXXX")
    trap 'rm -rf -- "$T" "$OUT"' EXIT
    chmod 755 "$OUT"
    mkdir -p "$T/pw"
}

# publish_outdir: openssl writes the .p12/.pfx and key files 0600; these are throwaway test keys, so make
# all alike. Then OUT replaces FINAL.
publish_outdir() {
    find "$OUT" -type d -exec chmod 755 {} +
    find "$OUT" -type f -exec chmod 644 {} +
    rm -rf -- "$FINAL"
    mv -- "$OUT" "$FINAL"
}

serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

# pwfile NAME BYTES: writes the exact bytes of a password to a private file; prints its path. The empty
# password's file holds a single "\n": openssl reads the first line of the file and fails on a zero-byte
# file ("Error reading password from BIO"), so it gets "\n", which openssl strips.
pwfile() {
    local f="$T/pw/${1//\//_}"
    if [ -z "$2" ]; then printf '\n' >"$f"; else printf '%s' "$2" >"$f"; fi
    printf '%s' "$f"
}

# write_cnf: writes $CFG with the request defaults and the extension sections of the CAs and leaves:
# ext_root, ext_int (pathlen:0), ext_leaf_rsa (digitalSignature, keyEncipherment) and ext_leaf_sig
# (digitalSignature only: EC and Ed25519 leaves). A generator appends sections of its own.
write_cnf() {
    cat >"$CFG" <<'EOF'
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
prompt             = no

[ req_dn ]
CN = unused

[ ext_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ ext_int ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_leaf_rsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_leaf_sig ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
}

# genrsa OUT BITS, genec OUT CURVE: a new private key.
genrsa() { ossl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }
genec() { ossl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -pkeyopt ec_param_enc:named_curve -out "$1"; }

# make_cas NAME KEYDIR CHAIN: root "CN=NAME Root CA, O=CertDrop Test" (7300 days, key KEYDIR/root.key) ->
# intermediate "CN=NAME Intermediate CA" (5475 days, key KEYDIR/int.key), as $T/root.crt and $T/int.crt;
# CHAIN gets both (intermediate first).
make_cas() {
    local name=$1 keys=$2 chain=$3
    ossl req -new -x509 -config "$CFG" -key "$keys/root.key" -subj "/O=CertDrop Test/CN=$name Root CA" \
        -days 7300 -sha256 -set_serial "$(serial)" -extensions ext_root -out "$T/root.crt"
    ossl req -new -config "$CFG" -key "$keys/int.key" -subj "/CN=$name Intermediate CA" \
        -CA "$T/root.crt" -CAkey "$keys/root.key" \
        -days 5475 -sha256 -set_serial "$(serial)" -extensions ext_int -out "$T/int.crt"
    cat "$T/int.crt" "$T/root.crt" >"$chain"
}

# write_passwords LISTED JSON [CANDIDATES]: JSON maps each file name of LISTED (NAME <TAB> PASSWORD lines,
# exact UTF-8; a later line for a name wins) to its password, plus, given the file CANDIDATES (one password
# a line), "*": [its lines] (fallback candidates). Only paths are passed, never a password.
write_passwords() {
    python3 - "$@" <<'PY'
import json, sys
listed = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        name, pw = line.rstrip("\n").split("\t", 1)
        listed[name] = pw
if len(sys.argv) > 3:
    with open(sys.argv[3], encoding="utf-8") as f:
        listed["*"] = [line.rstrip("\n") for line in f]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(listed, f, ensure_ascii=False, indent=2)
    f.write("\n")
PY
}
