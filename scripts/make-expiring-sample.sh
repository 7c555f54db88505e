#!/usr/bin/env bash
# make-expiring-sample.sh
#
# Makes the one time-sensitive sample, samples/drop/vpn-gateway.pfx ("expiring soon"), relative to the day it
# runs, so that the samples never rot: the file is not in git. It is made anew only when it is missing or its leaf
# expires within RENEW_DAYS (10) days; a new leaf expires VALID_DAYS (20) days after the day it is made. So on any
# day the sample expires in 10 to 20 days: within the default --min-days (30), never expired, and the same file
# (the same thumbprint) for ten days in a row, so a second import finds it `unchanged`.
# Its password is the map's entry for it in samples/passwords.json. scripts/run-samples.sh and the tests call this
# script; runs at the same time are serialised by a lock, so only one of them makes the file.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/.." && pwd)
# SAMPLE_DROP and SAMPLE_PASSWORDS put the sample elsewhere (the tests do); the day counts can be changed too.
drop=${SAMPLE_DROP:-$root/samples/drop}
passwords=${SAMPLE_PASSWORDS:-$root/samples/passwords.json}
target="$drop/vpn-gateway.pfx"
RENEW_DAYS=${RENEW_DAYS:-10}
VALID_DAYS=${VALID_DAYS:-20}

# shellcheck source=SCRIPTDIR/lib/fixture-pki.sh
source "$here/lib/fixture-pki.sh"
require_openssl3 "for the sample's PKCS#12 file"

mkdir -p -- "$drop"
# The lock lives beside the drop, not in it (it would be an item of the drop).
exec 9>"$(dirname -- "$drop")/.expiring-sample.lock"
flock 9

T=$(mktemp -d "${TMPDIR:-/tmp}/certdrop-expiring.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
mkdir -p "$T/pw"
chmod 700 "$T"

ossl() {
    if ! openssl "$@" 2>"$T/err"; then
        echo "$0: openssl $1 failed:" >&2
        cat "$T/err" >&2
        return 1
    fi
}

# The password goes from the map to a private file, never onto a command line.
python3 - "$passwords" "$T/pw/sample" <<'PY'
import json, sys
password = json.load(open(sys.argv[1], encoding="utf-8"))["vpn-gateway.pfx"]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(password)
PY

if [ -f "$target" ] \
    && openssl pkcs12 -in "$target" -passin "file:$T/pw/sample" -nokeys -clcerts 2>/dev/null >"$T/current.pem" \
    && openssl x509 -in "$T/current.pem" -noout -checkend $((RENEW_DAYS * 86400)) >/dev/null 2>&1; then
    exit 0
fi

CFG="$T/openssl.cnf"
write_cnf
genrsa "$T/root.key" 2048
genrsa "$T/int.key" 2048
genrsa "$T/leaf.key" 2048
make_cas "CertDrop Test" "$T" "$T/chain.pem"
ossl req -new -config "$CFG" -key "$T/leaf.key" -subj "/O=CertDrop Test/CN=expiring-soon.certdrop.test" \
    -addext "subjectAltName=DNS:expiring-soon.certdrop.test" -CA "$T/int.crt" -CAkey "$T/int.key" \
    -days "$VALID_DAYS" -sha256 -set_serial "$(serial)" -extensions ext_leaf_rsa -out "$T/leaf.crt"
ossl pkcs12 -export -out "$T/vpn-gateway.pfx" -in "$T/leaf.crt" -inkey "$T/leaf.key" -certfile "$T/chain.pem" \
    -passout "file:$T/pw/sample" -name expiring-soon
chmod 644 "$T/vpn-gateway.pfx"
mv -f -- "$T/vpn-gateway.pfx" "$target.new"
mv -f -- "$target.new" "$target"
echo "$0: made $target (expires in $VALID_DAYS days)" >&2
