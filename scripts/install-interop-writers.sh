#!/usr/bin/env bash
# Installs the PKCS#12 writers that scripts/make-interop-fixtures.sh uses, each only when it is missing:
#   gnutls-bin (certtool), libnss3-tools (pk12util, certutil), a JDK (keytool, javac), libbcprov-java
#   (BouncyCastle), golang-go with golang-sslmate-src-go-pkcs12-dev (go-pkcs12 sources under
#   /usr/share/gocode/src, built offline in GOPATH mode), and Python's `cryptography` (pip, only when
#   `import cryptography` fails).
# Every writer is optional: a failed install prints which writer is unavailable and the script goes on.
# It always exits 0, so that the test command never fails for want of an optional writer. Needs root (or
# sudo) only when something is missing.
set -uo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else sudo="unavailable"; fi
fi
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Debian package names per writer; a writer is available once all of its packages are installed.
writers=(gnutls nss jdk bouncycastle go)
declare -A need=(
    [gnutls]="gnutls-bin"
    [nss]="libnss3-tools"
    [jdk]="openjdk-17-jdk-headless"
    [bouncycastle]="libbcprov-java"
    [go]="golang-go golang-sslmate-src-go-pkcs12-dev"
)
# A JDK that someone installed another way (javac and keytool on PATH) counts.
if command -v javac >/dev/null 2>&1 && command -v keytool >/dev/null 2>&1; then need[jdk]=""; fi

updated=0
for writer in "${writers[@]}"; do
    missing=()
    for p in ${need[$writer]}; do installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && continue
    if [ "$sudo" = unavailable ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "install-interop-writers: $writer unavailable (needs ${missing[*]}; no root/apt-get)" >&2
        continue
    fi
    if [ $updated -eq 0 ]; then
        $sudo apt-get update -qq >/dev/null 2>&1 || echo "install-interop-writers: apt-get update failed" >&2
        updated=1
    fi
    # Only names the archive knows (apt-cache policy shows a candidate), so a typo reads as such.
    for p in "${missing[@]}"; do
        if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            echo "install-interop-writers: $writer unavailable (no package $p in the archive)" >&2
            continue 2
        fi
    done
    echo "install-interop-writers: installing ${missing[*]} for $writer" >&2
    if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
        echo "install-interop-writers: $writer unavailable (apt-get install ${missing[*]} failed)" >&2
    fi
done

# Python's cryptography (PrivateFormat.PKCS12 needs 38 or later), into the python3 on PATH.
if command -v python3 >/dev/null 2>&1; then
    if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
        echo "install-interop-writers: installing cryptography with pip" >&2
        python3 -m pip install -q cryptography >/dev/null 2>&1 \
            || echo "install-interop-writers: python unavailable (pip install cryptography failed)" >&2
    fi
else
    echo "install-interop-writers: python unavailable (no python3)" >&2
fi
exit 0
