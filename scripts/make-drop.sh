#!/usr/bin/env bash
# make-drop.sh OUTDIR COUNT [PASSWORD]
# Makes a drop of COUNT distinct PKCS#12 files (EC P-256, self-signed, OpenSSL 3 defaults) named cert-00001.pfx …,
# all with one password (default "drop-pw"), for import tests and benchmarks. The password is written to
# OUTDIR/passwords.json as the "*" candidate, never on a command line. Runs on all cores.
set -euo pipefail
out=${1:?usage: make-drop.sh OUTDIR COUNT [PASSWORD]}
count=${2:?usage: make-drop.sh OUTDIR COUNT [PASSWORD]}
password=${3:-drop-pw}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s' "$password" > "$work/pw"
chmod 600 "$work/pw"
export OUT="$out" WORK="$work"
make_one() {
    local n name
    n=$(printf '%05d' "$1")
    name="cert-$n"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/O=CertDrop Drop/CN=$name.drop.certdrop.test" \
        -keyout "$WORK/$name.key" -out "$WORK/$name.crt" 2>/dev/null
    openssl pkcs12 -export -inkey "$WORK/$name.key" -in "$WORK/$name.crt" -passout "file:$WORK/pw" \
        -out "$OUT/$name.pfx"
    rm -f "$WORK/$name.key" "$WORK/$name.crt"
}
export -f make_one
seq 1 "$count" | xargs -P "$(nproc)" -I{} bash -c 'make_one {}'
python3 - "$out/passwords.json" "$password" <<'PY'
import json, sys
json.dump({"*": [sys.argv[2]]}, open(sys.argv[1], "w"))
PY
