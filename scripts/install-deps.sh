#!/usr/bin/env bash
# Installs the Debian packages that building and testing CertDrop needs, only when one is missing.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(libssl-dev libarchive-dev libsqlite3-dev openssl pkg-config libarchive-tools zip)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
