#!/usr/bin/env bash
# Tries the release tarball (made by scripts/release.sh) on a fresh Debian 12 (bookworm) root with only the runtime
# packages installed, no Swift toolchain: the binary runs --help and --version, validates the samples (exit 1, as
# the README says: they hold an expired certificate and a wrong password on purpose), serves, imports the samples
# into that server and lists them; the completion scripts parse and there is a man page per command.
#
# The root is made with debootstrap (minbase) into .release/bookworm and kept between runs; `--fresh` makes it anew.
# Needs root (chroot, mounts) and minutes; not run by CI.
# Usage: sudo scripts/release-check.sh [--fresh]
# Exit status: 0 when every check passed, 1 when one failed, 2 when the check could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=.release
root=$out/bookworm
suite=bookworm

die() {
    echo "release-check: cannot run: $*" >&2
    exit 2
}

fresh=false
case "${1:-}" in
    "") ;;
    --fresh) fresh=true ;;
    *) die "usage: scripts/release-check.sh [--fresh]" ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"

[ -f "$out/SHA256SUMS" ] || die "no $out/SHA256SUMS: run scripts/release.sh first"
tarball=$(awk '{print $2}' "$out/SHA256SUMS" | head -1)
(cd "$out" && sha256sum -c SHA256SUMS >/dev/null) || die "$out/$tarball does not match SHA256SUMS"
name=${tarball%.tar.gz}
version=$(echo "$name" | sed -n 's/^certdrop-\([0-9.]*\)-linux-x86_64$/\1/p')
[ -n "$version" ] || die "cannot read the version from $tarball"

if ! command -v debootstrap >/dev/null; then
    echo "release-check: installing debootstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || die "cannot install debootstrap"
fi
# The mirror apt already uses on this machine.
mirror=$(grep -h -o -E 'https?://[^ ]*/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -v security | head -1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mounted=()
cleanup() {
    if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" 2>/dev/null || true; fi
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}"; done
}
trap cleanup EXIT

# A run that was killed may have left /proc or /dev mounted in the root: never delete through a mount.
for m in proc dev; do
    if mountpoint -q "$root/$m" 2>/dev/null; then umount "$root/$m" || die "cannot unmount $root/$m"; fi
done
if [ "$fresh" = true ] || [ ! -f "$root/.certdrop-bootstrapped" ]; then
    rm -rf --one-file-system "$root"
    echo "release-check: debootstrap --variant=minbase $suite $root $mirror (minutes)"
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$out/debootstrap.log" 2>&1 \
        || { tail -20 "$out/debootstrap.log" >&2; die "debootstrap failed (log: $out/debootstrap.log)"; }
    touch "$root/.certdrop-bootstrapped"
else
    echo "release-check: reusing the Debian $suite root in $root (--fresh makes it anew)"
fi

for m in proc dev; do
    mountpoint -q "$root/$m" || {
        if [ $m = proc ]; then mount -t proc proc "$root/proc"; else mount --bind /dev "$root/dev"; fi
        mounted+=("$root/$m")
    }
done
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# Only the runtime packages the tarball names, installed with apt inside the root.
tar -xzf "$out/$tarball" -O "$name/RUNTIME-PACKAGES" >"$out/runtime-packages" || die "no RUNTIME-PACKAGES in $tarball"
mapfile -t packages <"$out/runtime-packages"
missing=()
for p in "${packages[@]}"; do
    in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    echo "release-check: apt-get install ${missing[*]} (inside the root)"
    in_root apt-get update -qq >/dev/null
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"$out/apt.log" 2>&1 || { tail -20 "$out/apt.log" >&2; die "apt-get install in the root failed"; }
fi

passed=0
failed=0
check() { # check DESCRIPTION COMMAND... : runs the command, counts and prints the result
    local what=$1
    shift
    if "$@" >"$out/check.out" 2>&1; then
        passed=$((passed + 1))
        echo "ok    $what"
    else
        failed=$((failed + 1))
        echo "FAIL  $what"
        sed 's/^/      /' "$out/check.out" | tail -20
    fi
}

# A clean work folder inside the root: the unpacked tarball and the samples (the expiring one made for today).
work=/srv/certdrop-check
rm -rf "${root:?}$work"
mkdir -p "$root$work/home"
tar -C "$root$work" -xzf "$out/$tarball"
bash scripts/make-expiring-sample.sh >/dev/null
cp -r samples "$root$work/samples"
bin=$work/$name/bin/certdrop

echo "release-check: $tarball on Debian $suite ($(cat "$root/etc/debian_version")), runtime packages: ${packages[*]}"
no_toolchain() { [ ! -e "$root/opt/swift" ] && ! in_root sh -c 'command -v swift || ls /usr/lib/libswiftCore* \
    /usr/lib/x86_64-linux-gnu/libswiftCore*' 2>/dev/null; }
check "the root has no Swift toolchain" no_toolchain
ldd_in_root() {
    in_root ldd "$bin" >"$out/ldd-root.out" 2>&1 || return 1
    cat "$out/ldd-root.out"
    ! grep -E -q 'not found|swift|Foundation|dispatch' "$out/ldd-root.out"
}
check "ldd in the root finds every library, none of them Swift's" ldd_in_root
check "certdrop --help exits 0 and lists the commands" \
    sh -c "chroot '$root' '$bin' --help | grep -q 'validate' && chroot '$root' '$bin' --help | grep -q 'serve'"
version_ok() {
    local line
    line=$(in_root "$bin" --version)
    echo "--version: $line"
    [[ "$line" =~ ^$version\ \(commit\ [0-9a-f]{40}(-dirty)?\)$ ]]
}
check "certdrop --version prints $version and a commit" version_ok
validate_samples() {
    local status=0
    in_root sh -c "cd $work && '$bin' validate samples/drop --passwords samples/passwords.json" || status=$?
    echo "exit status $status"
    [ "$status" -eq 1 ]
}
check "validate samples/drop exits 1 (an expired certificate and a wrong password, on purpose)" validate_samples
validate_report() {
    in_root sh -c "cd $work && '$bin' validate samples/drop --passwords samples/passwords.json --format json -o v.json" \
        || true
    grep -q '"wrong-password"' "$root$work/v.json" && grep -q '"expired"' "$root$work/v.json"
}
check "validate --format json names wrong-password and expired" validate_report
check "the bash completion script parses" in_root bash -n "$work/$name/completions/certdrop.bash"
check "a man page for certdrop and each command" \
    sh -c "ls '$root$work/$name/man/man1/certdrop.1' '$root$work/$name/man/man1/certdrop.validate.1' \
        '$root$work/$name/man/man1/certdrop.serve.1'"

# serve, then import into it and list it, all inside the root, on 127.0.0.1.
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 CERTDROP_HOME="$work/home" \
    sh -c "cd $work && exec '$bin' serve --port 0" >"$out/serve.out" 2>"$out/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'listening on http://[^ ]*' "$out/serve.out" 2>/dev/null | head -1 | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
served() { echo "serve: ${url:-did not start}"; cat "$out/serve.err" | tail -5; [ -n "$url" ]; }
check "serve --port 0 starts and listens" served
target=(--service "$url" --dialect legacy --sas-id integration --sas-key-file "$work/home/service.keys.json")
import_samples() {
    local status=0
    in_root sh -c "cd $work && '$bin' import samples/drop --passwords samples/passwords.json ${target[*]}" \
        >"$out/import.out" 2>&1 || status=$?
    cat "$out/import.out"
    echo "exit status $status"
    [ "$status" -eq 1 ] && grep -q -E '^9 items: 6 created, 2 invalid, 1 skipped$' "$out/import.out"
}
check "import samples/drop into it: 6 created, 2 invalid, 1 skipped (exit 1)" import_samples
list_service() {
    in_root sh -c "cd $work && '$bin' list ${target[*]}" >"$out/list.out" 2>&1
    cat "$out/list.out"
    for id in api-gateway dev-laptop payments-java shop-web windows-legacy-export vpn-gateway; do
        grep -q -w -- "$id" "$out/list.out" || { echo "missing: $id"; return 1; }
    done
}
check "list shows the 6 imported certificates" list_service
stop_server() {
    local status=0
    kill -TERM "$server_pid"
    wait "$server_pid" || status=$?
    server_pid=""
    echo "serve exit status $status"
    [ "$status" -eq 0 ]
}
check "serve stops gracefully on SIGTERM (exit 0)" stop_server

echo "release-check: ldd $bin (in the root):"
sed 's/^/      /' "$out/ldd-root.out"
echo "release-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
