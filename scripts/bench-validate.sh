#!/usr/bin/env bash
# bench-validate.sh [files-per-kind]
#
# How fast CertDrop opens and checks PKCS#12 files, in one run on the same files, against its peers and against
# the key-derivation floor. It measures; it asserts nothing (not a test, not in CI).
#
# Inputs: files-per-kind (default 400) RSA-2048 files and as many EC P-256 files, with OpenSSL 3 defaults
# (AES-256-CBC, PBKDF2-HMAC-SHA256, 2048 iterations, SHA-256 MAC), each holding a leaf, its key and its CA. The
# openssl CLI makes them from one key per kind (every file gets its own salts and IVs).
#
# Rows, for RSA and EC separately, in files/s on 1 core (taskset -c 0) and on 2 cores (taskset -c 0,1):
#   certdrop           PKCS12Bundle.open on every file, 1 or 2 threads (release build, files read beforehand):
#                      MAC check, decryption, key and certificate parsing, every fact a report shows
#   certdrop at REV    the same for the PKCS12Kit of git revision REV (with BENCH_BASELINE=REV), built and run
#                      alongside, for before/after numbers from one run
#   certdrop validate  (with BENCH_CLI=1) the release `certdrop validate --format jsonl` over the folder: the
#                      whole pipeline and process start. Its first build compiles swift-crypto (minutes).
#   python             cryptography's pkcs12.load_key_and_certificates in a loop (1 and 2 processes)
#   openssl CLI        `openssl pkcs12 -noout` spawned per file (1 and 2 at a time)
#   floor              the key derivations alone that such a file needs, through the system OpenSSL:
#                      PKCS12_key_gen_utf8 (MAC key) + 2 x PKCS5_PBKDF2_HMAC (certificate safe, key bag)
#   floor, fast KDF    the same derivations through CertDrop's own (CFastKDF, or COpenSSL/shim.h before it)
# and the ratios: certdrop/floor per core, the 2-core speed-up, certdrop/python, certdrop/openssl CLI.
#
# The contenders take turns: BENCH_PASSES rounds (default 5) of one pass over the files each, and the table shows
# each one's best round (on a shared machine, others only ever slow a pass down). Before each pass the script
# waits for the machine to be idle (at most BENCH_QUIET_WAIT seconds in all, default 300), and the table says how
# busy it was. Run as root, every measured process (ours and the peers alike) runs at nice -20 (BENCH_NICE; empty
# for none), so that other work on the machine slows it less.
# Environment: BENCH_PASSES, BENCH_SLOW_FILES (default 100: files per kind for the openssl CLI rows and for Python
# on RSA, which checks every RSA key at some 30 ms a file), BENCH_BASELINE, BENCH_CLI, BENCH_NICE, BENCH_DIR.
#
# Python cryptography comes from python3 when it imports there, otherwise from a venv in scripts/.venv
# (pip install cryptography). The benchmark packages and the inputs are cached in
# ${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-validate}; delete it to start over. Output: the table on stdout, and
# as Markdown in $BENCH_DIR/table.md.
set -euo pipefail
shopt -s inherit_errexit

per_kind=${1:-400}
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/.." && pwd)
work=${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-validate}
inputs="$work/inputs-$per_kind"

bash "$here/install-deps.sh"
command -v python3 >/dev/null || { echo "$0: python3 is needed" >&2; exit 2; }
command -v taskset >/dev/null || { echo "$0: taskset is needed (util-linux)" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || echo "$0: only $(nproc) core(s) here: the 2-core rows mean little" >&2

# ---------------------------------------------------------------- the benchmark executables
# build_bench PKG SOURCES: a throwaway package in PKG with COpenSSL, CFastKDF (when SOURCES has it) and PKCS12Kit
# symlinked from SOURCES and scripts/bench/bench-validate.swift as its executable; prints the executable's path.
# The same script builds older revisions (BENCH_BASELINE): before CFastKDF, the fast KDF was in COpenSSL/shim.h.
build_bench() {
    local pkg=$1 sources=$2 defines="" kdf_target="" kdf_dep=""
    mkdir -p "$pkg/Sources/bench-validate"
    rm -f "$pkg/Sources/CFastKDF"
    ln -sfn "$sources/COpenSSL" "$pkg/Sources/COpenSSL"
    ln -sfn "$sources/PKCS12Kit" "$pkg/Sources/PKCS12Kit"
    ln -sfn "$here/bench/bench-validate.swift" "$pkg/Sources/bench-validate/main.swift"
    if [ -d "$sources/CFastKDF" ]; then
        ln -sfn "$sources/CFastKDF" "$pkg/Sources/CFastKDF"
        kdf_target='.target(name: "CFastKDF", dependencies: ["COpenSSL"], cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wpedantic", "-Werror"])]),'
        kdf_dep='"CFastKDF",'
        defines='.define("CERTDROP_FAST_KDF"), .define("CERTDROP_CFASTKDF")'
    elif grep -q cd_fast_pbkdf2 "$sources/COpenSSL/shim.h"; then
        defines='.define("CERTDROP_FAST_KDF")'
    fi
    cat >"$pkg/Package.swift" <<EOF
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "BenchValidate",
    dependencies: [.package(url: "https://github.com/apple/swift-asn1", from: "1.7.4")],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl"),
        $kdf_target
        .target(
            name: "PKCS12Kit",
            dependencies: ["COpenSSL", $kdf_dep .product(name: "SwiftASN1", package: "swift-asn1")]),
        .executableTarget(
            name: "bench-validate", dependencies: ["PKCS12Kit", "COpenSSL", $kdf_dep],
            swiftSettings: [$defines]),
    ]
)
EOF
    # SwiftPM does not notice a changed header of a system-library target: rebuild PKCS12Kit every time.
    rm -rf "$pkg/.build/release/PKCS12Kit.build" "$pkg/.build/"*/release/PKCS12Kit.build
    swift build -c release --package-path "$pkg" --product bench-validate >&2
    echo "$(swift build -c release --package-path "$pkg" --show-bin-path)/bench-validate"
}

echo "building the benchmark (release)..." >&2
bench=$(build_bench "$work/pkg" "$root/Sources") || exit 1

baseline_bench=""
if [ -n "${BENCH_BASELINE:-}" ]; then
    rev=$(git -C "$root" rev-parse --short "$BENCH_BASELINE")
    src="$work/baseline-$rev"
    if [ ! -d "$src/Sources/PKCS12Kit" ]; then
        mkdir -p "$src"
        git -C "$root" archive "$rev" Sources/PKCS12Kit Sources/COpenSSL \
            $(git -C "$root" ls-tree --name-only "$rev" Sources/CFastKDF) | tar -x -C "$src"
    fi
    echo "building the benchmark for $rev (release)..." >&2
    baseline_bench=$(build_bench "$work/pkg-$rev" "$src/Sources") || exit 1
fi

certdrop=""
if [ "${BENCH_CLI:-0}" = 1 ]; then
    echo "building certdrop (release, .build-bench-validate)..." >&2
    swift build -c release --package-path "$root" --scratch-path "$root/.build-bench-validate" --product certdrop >&2
    certdrop="$(swift build -c release --package-path "$root" --scratch-path "$root/.build-bench-validate" --show-bin-path)/certdrop"
fi

# ---------------------------------------------------------------- python cryptography
py=python3
if ! python3 -c 'import cryptography.hazmat.primitives.serialization.pkcs12' 2>/dev/null; then
    venv="$root/scripts/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        echo "making $venv with cryptography..." >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet cryptography >&2
    fi
    py="$venv/bin/python"
fi

# ---------------------------------------------------------------- the inputs, made once per size
if [ ! -f "$inputs/done" ]; then
    echo "making $per_kind RSA-2048 and $per_kind EC P-256 files..." >&2
    rm -rf -- "$inputs"
    mkdir -p "$inputs/rsa" "$inputs/ec" "$inputs/keys"
    k="$inputs/keys"
    printf '%s' bench-validate-pw >"$inputs/password"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/rsa-ca.key" 2>/dev/null
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/rsa.key" 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k/ec-ca.key" 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k/ec.key" 2>/dev/null
    for kind in rsa ec; do
        openssl req -new -x509 -key "$k/$kind-ca.key" -subj "/O=CertDrop Bench/CN=Bench $kind CA" -days 3650 \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -out "$k/$kind-ca.crt" 2>/dev/null
        openssl req -new -key "$k/$kind.key" -subj "/O=CertDrop Bench/CN=$kind.bench.certdrop.test" \
            -addext "subjectAltName=DNS:$kind.bench.certdrop.test" -addext "basicConstraints=critical,CA:FALSE" \
            -CA "$k/$kind-ca.crt" -CAkey "$k/$kind-ca.key" -days 3650 -out "$k/$kind.crt" 2>/dev/null
        seq -f '%04g' 1 "$per_kind" | xargs -P "$(nproc)" -I{} openssl pkcs12 -export \
            -inkey "$k/$kind.key" -in "$k/$kind.crt" -certfile "$k/$kind-ca.crt" -name "bench {}" \
            -passout "file:$inputs/password" -out "$inputs/$kind/$kind-{}.pfx"
    done
    openssl pkcs12 -in "$inputs/rsa/rsa-0001.pfx" -passin "file:$inputs/password" -info -noout 2>&1 \
        | grep -E 'MAC:|PBES2' >"$inputs/parameters.txt"
    touch "$inputs/done"
fi

# ---------------------------------------------------------------- measure
nice_default=""
if [ "$(id -u)" -eq 0 ]; then nice_default=-20; fi
BENCH="$bench" BASELINE_BENCH="$baseline_bench" BASELINE_REV="${rev:-}" CERTDROP="$certdrop" PEER_PYTHON="$py" \
    INPUTS="$inputs" OUT="$work" PASSES="${BENCH_PASSES:-5}" SLOW_FILES="${BENCH_SLOW_FILES:-100}" \
    QUIET_WAIT="${BENCH_QUIET_WAIT:-300}" NICE="${BENCH_NICE-$nice_default}" \
    python3 "$here/bench/bench_validate.py"
