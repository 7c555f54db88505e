#!/usr/bin/env bash
# Builds the release tarball .release/certdrop-VERSION-linux-x86_64.tar.gz and .release/SHA256SUMS:
#   bin/certdrop            release mode, the Swift standard library and Foundation linked statically; at run time
#                           it needs only the system's OpenSSL 3, libarchive and SQLite (and libc, libstdc++, zlib)
#   completions/            certdrop.bash, _certdrop (zsh), certdrop.fish
#   man/man1/               one page per command (swift-argument-parser's generate-manual plugin)
#   README.md, LICENSE      (LICENSE only when the repository has one; the script says loudly when it does not)
#   RUNTIME-PACKAGES        the Debian packages the binary needs, one a line
#
# `--version` of the binary names the commit it was built from (with -dirty when the tree had changes): the script
# writes Sources/certdrop/ReleaseStamp.generated.swift (gitignored, removed again at exit) and builds with
# -D CERTDROP_RELEASE_STAMP. A plain `swift build` knows no commit and says "commit unknown".
#
# Usage: scripts/release.sh           build the release (minutes: a whole-package release build)
#        scripts/release.sh --check   only check the prerequisites and the version; builds nothing (seconds)
# Exit status: 0 when the tarball was built and checked, 1 when a check failed, 2 for usage errors.
# Not run by CI. scripts/release-check.sh tries the tarball on a fresh Debian 12 root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian 12 packages the binary needs at run time; the ldd check below fails on any library outside them.
runtime_packages=(libc6 libgcc-s1 libstdc++6 zlib1g libssl3 libarchive13 libsqlite3-0)
scratch=.build-release
out=.release
stamp=Sources/certdrop/ReleaseStamp.generated.swift

fail() {
    echo "release: FAILED: $*" >&2
    exit 1
}

mode=build
if [ $# -gt 1 ]; then
    echo "usage: scripts/release.sh [--check]" >&2
    exit 2
fi
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *)
        echo "usage: scripts/release.sh [--check]" >&2
        exit 2
        ;;
esac

# The version is the one in Sources/certdrop/BuildInfo.swift: `static let version = "X.Y.Z"`.
version=$(sed -n 's/^ *static let version = "\([0-9][0-9.]*\)"$/\1/p' Sources/certdrop/BuildInfo.swift)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no version X.Y.Z found in Sources/certdrop/BuildInfo.swift"
[ "$(uname -m)" = x86_64 ] || fail "this script builds linux-x86_64 tarballs; this machine is $(uname -m)"

for tool in swift git ldd readelf dpkg-query tar gzip sha256sum pkg-config; do
    command -v "$tool" >/dev/null || fail "'$tool' is not on PATH"
done
swift_root=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
[ -f "$swift_root/lib/swift_static/linux/static-stdlib-args.lnk" ] \
    || fail "the toolchain at $swift_root has no static standard library (lib/swift_static/linux)"
for pc in openssl libarchive sqlite3; do
    pkg-config --exists "$pc" || fail "pkg-config finds no '$pc' (run scripts/install-deps.sh)"
done
git rev-parse --verify -q HEAD >/dev/null || fail "not a git checkout with a commit: the version names the commit"
if [ -f LICENSE ]; then
    licence=LICENSE
else
    licence=""
fi

if [ "$mode" = check ]; then
    echo "release --check: version $version, toolchain $swift_root (static stdlib present)," \
        "openssl $(pkg-config --modversion openssl), libarchive $(pkg-config --modversion libarchive)," \
        "sqlite3 $(pkg-config --modversion sqlite3)"
    [ -n "$licence" ] || echo "release --check: WARNING: there is no LICENSE file; a release would ship without one"
    echo "release --check: ok (nothing built)"
    exit 0
fi

commit=$(git rev-parse HEAD)
dirty=false
[ -z "$(git status --porcelain)" ] || dirty=true
trap 'rm -f "$stamp"' EXIT
cat >"$stamp" <<EOF
// Written by scripts/release.sh for one release build; not in git.
#if CERTDROP_RELEASE_STAMP
    enum ReleaseStamp {
        static let commit = "$commit"
        static let dirty = $dirty
    }
#endif
EOF
suffix=""
[ "$dirty" = false ] || suffix=-dirty
expected_version="$version (commit $commit$suffix)"

# Man pages first, in debug mode and in the default .build: the plugin builds the whole package in the
# configuration it is given, and a release build by the plugin in .build-release would write a release.yaml
# without --static-swift-stdlib, after which the static build below would link the stdlib dynamically.
echo "release: man pages (generate-manual, debug build in .build)"
swift package plugin generate-manual --configuration debug --multi-page --authors CertDrop >"$out.manual.log" 2>&1 \
    || { cat "$out.manual.log" >&2; fail "the generate-manual plugin failed"; }
# The plugin names the folder as a path or, in newer versions, as a file:// URL.
manual_dir=$(sed -n "s/^Generated manual in '\(.*\)'$/\1/p" "$out.manual.log" | tail -1)
manual_dir=${manual_dir#file://}
[ -n "$manual_dir" ] && [ -d "$manual_dir" ] || { cat "$out.manual.log" >&2; fail "the plugin named no output folder"; }
rm -f "$out.manual.log"

echo "release: certdrop $version, commit $commit$suffix, static Swift stdlib"
rm -f "$scratch/release.yaml"
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product certdrop \
    -Xswiftc -DCERTDROP_RELEASE_STAMP
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/certdrop"

# Nothing of the Swift toolchain may be linked dynamically: every library must come from the runtime packages.
echo "release: ldd $bin"
ldd_out=$(ldd "$bin")
echo "$ldd_out" | sed 's/^/    /'
if echo "$ldd_out" | grep -E -q 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU|/opt/swift|not found'; then
    fail "the binary links a Swift toolchain library (or a library is not found): see ldd above"
fi
# The libraries the binary itself names (NEEDED) must each come from a runtime package; what those pull in
# (libxml2, liblzma, ... for libarchive) apt brings as their dependencies.
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf finds no NEEDED libraries in $bin"
for soname in $needed; do
    lib=$(echo "$ldd_out" | awk -v s="$soname" '$1 == s && $3 ~ /^\// {print $3}' | head -1)
    [ -n "$lib" ] || lib=$(echo "$ldd_out" | awk -v s="$soname" '$1 ~ s {print $1}' | head -1)
    owner=$(dpkg-query -S "$lib" 2>/dev/null | cut -d: -f1 | head -1 || true)
    [ -n "$owner" ] || owner=$(dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null | cut -d: -f1 | head -1 || true)
    found=false
    for p in "${runtime_packages[@]}"; do [ "$owner" = "$p" ] && found=true; done
    [ "$found" = true ] || fail "$soname ($lib) comes from '${owner:-no package}', not one of the runtime packages"
    echo "    NEEDED $soname: $owner"
done

actual_version=$("$bin" --version)
[ "$actual_version" = "$expected_version" ] \
    || fail "--version says '$actual_version', expected '$expected_version'"
echo "release: --version: $actual_version"

name="certdrop-$version-linux-x86_64"
rm -rf "${out:?}/$name" "$out/$name.tar.gz" "$out/SHA256SUMS"
mkdir -p "$out/$name/bin" "$out/$name/completions" "$out/$name/man/man1"
cp "$bin" "$out/$name/bin/certdrop"
"$bin" --generate-completion-script bash >"$out/$name/completions/certdrop.bash"
"$bin" --generate-completion-script zsh >"$out/$name/completions/_certdrop"
"$bin" --generate-completion-script fish >"$out/$name/completions/certdrop.fish"
for f in "$out/$name/completions/"*; do [ -s "$f" ] || fail "empty completion script $f"; done
cp "$manual_dir"/*.1 "$out/$name/man/man1/"
pages=$(find "$out/$name/man/man1" -name '*.1' | wc -l)
[ "$pages" -ge 2 ] || fail "expected a man page per command, found $pages"
cp README.md "$out/$name/README.md"
printf '%s\n' "${runtime_packages[@]}" >"$out/$name/RUNTIME-PACKAGES"
if [ -n "$licence" ]; then
    cp "$licence" "$out/$name/LICENSE"
fi
tar -C "$out" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" >SHA256SUMS && sha256sum -c SHA256SUMS >/dev/null) || fail "checksum"

echo "release: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1), binary $(du -h "$bin" | cut -f1))"
echo "release: $pages man pages, completions for bash, zsh, fish"
echo "release: runtime packages (Debian 12): ${runtime_packages[*]}"
cat "$out/SHA256SUMS"
if [ -z "$licence" ]; then
    echo "release: WARNING: THERE IS NO LICENSE FILE IN THE REPOSITORY; THE TARBALL SHIPS WITHOUT A LICENCE" >&2
fi
