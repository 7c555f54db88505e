#!/usr/bin/env bash
# bench-unpack.sh [repeats]
#
# The unpack stage alone, on drops of PKCS#12 files, against `bsdtar -xf`. Measures, does not assert: not a
# test, not in CI. Prints, in one run:
#
#   speed   entries/s on a drop of 10,000 .pfx files, as a zip and as a tar.gz, for
#           - ArchiveKit: a release executable that reads the archive into memory, walks every entry with
#             ArchiveReader (default limits) and touches every byte handed out. Timed from outside as a whole
#             process (start-up and file read included, like bsdtar) and, inside, the walk alone;
#           - `bsdtar -xf ARCHIVE -C DIR`, DIR in /dev/shm (RAM-backed), emptied before every run (not timed);
#           - for reference, `bsdtar -xOf ARCHIVE >/dev/null`: libarchive decompressing every entry, with no
#             file written;
#           and the ratios ArchiveKit/bsdtar in entries/s (above 1: ArchiveKit is faster). Each measurement is
#           repeated `repeats` times (default 7), interleaved (one run of each per format per round, the order
#           alternating), after one untimed warm-up; the median is shown.
#   memory  peak RSS (/usr/bin/time -f %M, the highest of 3 runs) of the same executable on drops of 1,000 and
#           10,000 files, both formats: raw, and minus the archive size (ArchiveReader takes the archive as one
#           in-memory byte array, so RSS = archive bytes + a bounded amount), with the ratios 10k/1k; bsdtar's
#           peak RSS alongside for reference.
#   limits  one run each on hostile inputs: a zip bomb (200 MB of zeros in 200 KB), a tar.gz bomb (1 GiB of
#           zeros in 1 MB, which is decompressed up to the 1 GiB total-bytes limit: about 3 s), 100 zips nested
#           in a tar.gz, and a text file that is no archive. BENCH_LIMITS=0 leaves them out.
#
# Inputs: 50 distinct PKCS#12 files made once with the openssl CLI (RSA-2048 key and leaf certificate, every
# second file with its issuing CA as well: 2.5 and 3.4 KB, OpenSSL 3 defaults), whose bytes are reused under
# distinct names (drop/cert-00001.pfx ...) to fill the drops: unpacking does not look at what the bytes are,
# so repeated contents cost the same as distinct ones. (scripts/make-drop.sh makes EC P-256 files of 1.1 KB,
# smaller than real-world drops, and would take minutes for 10,000.) zip: deflate per entry (Python zipfile);
# tar.gz: pax tar, gzip level 9 (Python tarfile).
#
# Builds a throwaway package next to the inputs (Sources/ArchiveKit and Sources/CArchive symlinked from this
# repository), so it neither touches Package.swift nor needs the other modules to build. Inputs and the build
# are cached in ${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-unpack}; delete it to start over. Output: the
# tables on stdout, and as Markdown in $BENCH_DIR/table.md.
set -euo pipefail

repeats=${1:-7}
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/.." && pwd)
work=${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-unpack}
pkg="$work/pkg"
pfx="$work/pfx-50"
inputs="$work/drops"
shm=/dev/shm/certdrop-bench-unpack-$$
sizes=(1000 10000)
formats=(zip tar.gz)

bash "$here/install-deps.sh"
command -v python3 >/dev/null || { echo "$0: python3 is needed to make the inputs" >&2; exit 2; }
command -v bsdtar >/dev/null || { echo "$0: bsdtar is needed (apt-get install libarchive-tools)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "installing time (for peak memory)..." >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi
[ -d /dev/shm ] && [ -w /dev/shm ] || { echo "$0: /dev/shm is needed (RAM-backed folder for bsdtar)" >&2; exit 2; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "$0: bash 5 is needed (EPOCHREALTIME)" >&2; exit 2; }
trap 'rm -rf -- "$shm"' EXIT

# ---------------------------------------------------------------- the benchmark executable
mkdir -p "$pkg/Sources/bench-unpack"
ln -sfn "$root/Sources/CArchive" "$pkg/Sources/CArchive"
ln -sfn "$root/Sources/ArchiveKit" "$pkg/Sources/ArchiveKit"
cat >"$pkg/Package.swift" <<'EOF'
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "BenchUnpack",
    targets: [
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive"),
        .target(name: "ArchiveKit", dependencies: ["CArchive"]),
        .executableTarget(name: "bench-unpack", dependencies: ["ArchiveKit"]),
    ]
)
EOF
cat >"$pkg/Sources/bench-unpack/main.swift" <<'EOF'
import ArchiveKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// bench-unpack FILE: the unpack stage alone. Reads FILE into memory, walks every entry with ArchiveReader and
// the default limits, and touches every byte handed out (as the next stage, PKCS#12 parsing, will). Prints one
// tab-separated line: readable entries, problems as code=count ("-" for none), bytes handed out, a checksum of
// those bytes, milliseconds for the walk (the file read excluded). No Foundation, so that start-up time and
// peak memory are ArchiveKit's, libarchive's and the Swift runtime's.

/// The file's bytes, read straight into one array, so that peak memory counts the input once.
func load(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    let size = Int(info.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        while count < size {
            let got = read(fd, buffer.baseAddress.map { $0 + count }, size - count)
            if got <= 0 {
                failed = got < 0
                break
            }
            count += got
        }
    }
    return failed ? nil : bytes
}

func milliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
}

guard CommandLine.arguments.count == 2, let bytes = load(CommandLine.arguments[1]) else {
    let usage = "usage: bench-unpack FILE\n"
    _ = usage.withCString { write(2, $0, strlen($0)) }
    exit(2)
}
let name = String(CommandLine.arguments[1].split(separator: "/").last ?? "input")
var readable = 0
var handedOut = 0
var checksum: UInt64 = 0
var problems: [String: Int] = [:]
let start = milliseconds()
ArchiveReader().forEachEntry(in: bytes, named: name) { entry in
    switch entry.content {
    case .success(let content):
        readable += 1
        handedOut += content.count
        var sum: UInt64 = 0
        content.withUnsafeBufferPointer { buffer in
            for byte in buffer { sum &+= UInt64(byte) }
        }
        checksum = checksum &* 31 &+ sum
    case .failure(let problem):
        problems[problem.code.rawValue, default: 0] += 1
    }
}
let elapsed = milliseconds() - start
let problemText =
    problems.isEmpty ? "-" : problems.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
print("\(readable)\t\(problemText)\t\(handedOut)\t\(String(checksum, radix: 16))\t\((elapsed * 100).rounded() / 100)")
EOF
echo "building the benchmark (release)..." >&2
swift build -c release --package-path "$pkg" --product bench-unpack >&2
bin="$(swift build -c release --package-path "$pkg" --show-bin-path)/bench-unpack"

# ---------------------------------------------------------------- the inputs, made once
if [ ! -f "$pfx/done" ]; then
    echo "making 50 PKCS#12 files (RSA-2048; takes a few seconds)..." >&2
    rm -rf -- "$pfx"
    mkdir -p "$pfx/keys"
    printf '%s' bench-unpack-pw >"$pfx/keys/pw"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=CertDrop Bench/CN=CertDrop Bench Issuing CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$pfx/keys/ca.key" -out "$pfx/keys/ca.crt" 2>/dev/null
    make_one() {
        local n k chain=()
        n=$(printf '%02d' "$1")
        k="$PFX/keys/$n"
        openssl req -newkey rsa:2048 -nodes -subj "/O=CertDrop Bench/CN=host-$n.bench.certdrop.test" \
            -keyout "$k.key" -out "$k.csr" 2>/dev/null
        openssl x509 -req -in "$k.csr" -CA "$PFX/keys/ca.crt" -CAkey "$PFX/keys/ca.key" -set_serial "$1" \
            -days 825 -out "$k.crt" 2>/dev/null
        if (($1 % 2)); then chain=(-certfile "$PFX/keys/ca.crt"); fi
        openssl pkcs12 -export -inkey "$k.key" -in "$k.crt" "${chain[@]}" -name "host-$n" \
            -passout "file:$PFX/keys/pw" -out "$PFX/bench-$n.pfx"
    }
    export -f make_one
    seq 1 50 | PFX="$pfx" xargs -P "$(nproc)" -I{} bash -c 'make_one {}'
    rm -rf -- "$pfx/keys"
    touch "$pfx/done"
fi
if [ ! -f "$inputs/done" ]; then
    echo "making the drops (1,000 and 10,000 files; zip and tar.gz) and the hostile inputs..." >&2
    rm -rf -- "$inputs"
    mkdir -p "$inputs"
    (cd "$inputs" && PFX="$pfx" LIMITS="${BENCH_LIMITS:-1}" python3 - <<'EOF'
import io, os, tarfile, time, zipfile

src = os.environ["PFX"]
blobs = [open(os.path.join(src, f), "rb").read() for f in sorted(os.listdir(src)) if f.endswith(".pfx")]
assert len(blobs) == 50, len(blobs)
stamp = 1_700_000_000

def drop(n):
    # Distinct names, contents cycling over the 50 files (gzip's 32 KB window sees no repeats: 50 files are ~150 KB).
    return [("drop/cert-%05d.pfx" % (i + 1), blobs[i % len(blobs)]) for i in range(n)]

def write_zip(target, files):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, time.gmtime(stamp)[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            z.writestr(info, data)

def tar_info(name, size):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, stamp, 0o644
    return info

for n in (1000, 10000):
    files = drop(n)
    write_zip("drop-%d.zip" % n, files)
    with tarfile.open("drop-%d.tar.gz" % n, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            t.addfile(tar_info(name, len(data)), io.BytesIO(data))

if os.environ["LIMITS"] != "0":
    # 100 zips of 100 files each, in a tar.gz: nesting, 10,000 files in all.
    files = drop(10000)
    with tarfile.open("nested.tar.gz", "w:gz") as t:
        for k in range(100):
            buffer = io.BytesIO()
            write_zip(buffer, files[k * 100:(k + 1) * 100])
            t.addfile(tar_info("inner-%03d.zip" % k, buffer.tell()), io.BytesIO(buffer.getvalue()))
    # Bombs: 200 MB of zeros in a zip (about 200 KB), and 1 GiB of zeros in a tar.gz (about 1 MB).
    with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("zeros.bin", "w", force_zip64=True) as f:
            for _ in range(200):
                f.write(bytes(1 << 20))
        z.writestr("after.pfx", blobs[0])
    with tarfile.open("bomb.tar.gz", "w:gz", compresslevel=9) as t:
        class Zeros(io.RawIOBase):
            def readable(self):
                return True
            def readinto(self, b):
                b[:] = bytes(len(b))
                return len(b)
        t.addfile(tar_info("zeros.bin", 1 << 30), io.BufferedReader(Zeros(), 1 << 20))
        t.addfile(tar_info("after.pfx", len(blobs[0])), io.BytesIO(blobs[0]))
    # Plain text: not an archive, one entry.
    open("passwords.txt", "w").write("".join("secret-%d\n" % i for i in range(10000)))
    open("limits", "w").close()
EOF
    )
    touch "$inputs/done"
fi

# ---------------------------------------------------------------- helpers
now_us() { local t=${EPOCHREALTIME//[.,]/}; echo $((10#$t)); }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
fresh_shm() { rm -rf -- "$shm"; mkdir -p "$shm"; }
# Runs the executable on $1; sets ours_ms (whole process, wall) and walk_ms (the walk, as it reports) and checks
# that every entry was read.
run_ours() {
    local start end line readable problems
    start=$(now_us)
    line=$("$bin" "$1")
    end=$(now_us)
    IFS=$'\t' read -r readable problems _ _ walk_ms <<<"$line"
    [ "$readable" = "$2" ] && [ "$problems" = - ] || { echo "$0: $1: read $readable of $2 ($problems)" >&2; exit 1; }
    ours_ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.2f", us / 1000 }')
}
# bsdtar -xf $1 into an emptied RAM-backed folder; sets tar_ms (whole process, wall).
run_bsdtar() {
    local start end
    fresh_shm
    start=$(now_us)
    bsdtar -xf "$1" -C "$shm"
    end=$(now_us)
    tar_ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.2f", us / 1000 }')
}

# bsdtar -xOf $1 >/dev/null: every entry decompressed, nothing written (a reference only); sets out_ms.
run_bsdtar_stdout() {
    local start end
    start=$(now_us)
    bsdtar -xOf "$1" >/dev/null
    end=$(now_us)
    out_ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.2f", us / 1000 }')
}

entries=10000
declare -A ours walk tar out
echo "checking the outputs and warming up..." >&2
for f in "${formats[@]}"; do
    archive="$inputs/drop-$entries.$f"
    line=$("$bin" "$archive")
    IFS=$'\t' read -r readable problems handed checksum _ <<<"$line"
    run_bsdtar "$archive"
    extracted=$(find "$shm" -type f | wc -l)
    extracted_bytes=$(find "$shm" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    if [ "$readable" != "$entries" ] || [ "$problems" != - ] || [ "$extracted" != "$entries" ] \
        || [ "$handed" != "$extracted_bytes" ]; then
        echo "$0: $f: ArchiveKit read $readable entries ($problems), $handed bytes; bsdtar wrote $extracted" \
            "files, $extracted_bytes bytes" >&2
        exit 1
    fi
done
# One bsdtar per format, one run of ours each, per round; the order alternates between rounds.
for ((round = 1; round <= repeats; round++)); do
    echo "speed: round $round of $repeats..." >&2
    for f in "${formats[@]}"; do
        archive="$inputs/drop-$entries.$f"
        if ((round % 2)); then
            run_ours "$archive" "$entries"
            run_bsdtar "$archive"
            run_bsdtar_stdout "$archive"
        else
            run_bsdtar_stdout "$archive"
            run_bsdtar "$archive"
            run_ours "$archive" "$entries"
        fi
        ours[$f]+=" $ours_ms"
        walk[$f]+=" $walk_ms"
        tar[$f]+=" $tar_ms"
        out[$f]+=" $out_ms"
    done
done
rm -rf -- "$shm"

echo "memory..." >&2
peak_kib() { # the highest max RSS of 3 runs of "$@", each after emptying the RAM-backed folder
    local best=0 kib
    for _ in 1 2 3; do
        fresh_shm
        /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null
        kib=$(tail -n 1 "$work/rss")
        ((kib > best)) && best=$kib
    done
    echo "$best"
}
declare -A rss size tar_rss
for n in "${sizes[@]}"; do
    for f in "${formats[@]}"; do
        archive="$inputs/drop-$n.$f"
        size[$n.$f]=$(stat -c %s "$archive")
        rss[$n.$f]=$(($(peak_kib "$bin" "$archive") * 1024))
        tar_rss[$n.$f]=$(($(peak_kib bsdtar -xf "$archive" -C "$shm") * 1024))
    done
done
rm -rf -- "$shm"
printf 'not an archive\n' >"$work/tiny.txt"
baseline=$(($(peak_kib "$bin" "$work/tiny.txt") * 1024))

# ---------------------------------------------------------------- report
pfx_sizes=$(find "$pfx" -name '*.pfx' -printf '%s\n' | sort -n | awk '{ v[NR] = $1; s += $1 } END {
    printf "%d distinct files of %d to %d bytes (mean %d)", NR, v[1], v[NR], s / NR }')
{
    echo "## ArchiveKit unpack stage vs bsdtar"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg) at the end;" \
        "$(bsdtar --version); $(swift --version 2>/dev/null | head -n 1)."
    echo "Drops: PKCS#12 files under distinct names, contents cycling over $pfx_sizes (unpacking does not" \
        "look at the bytes, so repeated contents cost the same as distinct ones)."
    echo
    echo "### Speed: $entries entries, median of $repeats interleaved runs"
    echo
    echo "| format | archive | run | median | entries/s | ArchiveKit/this, process | ArchiveKit/this, walk alone |"
    echo "|---|---:|---|---:|---:|---:|---:|"
    for f in "${formats[@]}"; do
        # shellcheck disable=SC2086
        awk -v f="$f" -v n="$entries" -v mb="$(mib "${size[$entries.$f]}")" -v o="$(median ${ours[$f]})" \
            -v w="$(median ${walk[$f]})" -v t="$(median ${tar[$f]})" -v x="$(median ${out[$f]})" 'BEGIN {
            row = "| %s | %s MiB | %s | %.0f ms | %.0f | %s | %s |\n"
            printf row, f, mb, "ArchiveKit: whole process (start-up, file read, walk)", o, n / o * 1000, "", ""
            printf row, f, mb, "ArchiveKit: walk alone (in-process clock)", w, n / w * 1000, "", ""
            printf row, f, mb, "`bsdtar -xf` into /dev/shm", t, n / t * 1000, sprintf("**%.2f**", t / o),
                sprintf("%.2f", t / w)
            printf row, f, mb, "`bsdtar -xOf` to /dev/null (reference: no files written)", x, n / x * 1000,
                sprintf("%.2f", x / o), sprintf("%.2f", x / w) }'
    done
    echo
    echo "### Peak memory (max RSS, highest of 3 runs)"
    echo
    echo "| format | entries | archive | ArchiveKit RSS | RSS minus archive | bsdtar RSS |"
    echo "|---|---:|---:|---:|---:|---:|"
    for f in "${formats[@]}"; do
        for n in "${sizes[@]}"; do
            echo "| $f | $n | $(mib "${size[$n.$f]}") MiB | $(mib "${rss[$n.$f]}") MiB |" \
                "$(mib $((rss[$n.$f] - size[$n.$f]))) MiB | $(mib "${tar_rss[$n.$f]}") MiB |"
        done
        awk -v f="$f" -v a1="${size[1000.$f]}" -v a2="${size[10000.$f]}" -v r1="${rss[1000.$f]}" \
            -v r2="${rss[10000.$f]}" -v t1="${tar_rss[1000.$f]}" -v t2="${tar_rss[10000.$f]}" 'BEGIN {
            printf "| %s | ratio 10k/1k | %.2f | %.2f | **%.2f** (%+.0f KiB per 1,000 entries) | %.2f |\n",
                f, a2 / a1, r2 / r1, (r2 - a2) / (r1 - a1), ((r2 - a2) - (r1 - a1)) / 9 / 1024, t2 / t1 }'
    done
    echo
    echo "Floor: the same executable on a 15-byte text file peaks at $(mib "$baseline") MiB (Swift runtime, libarchive, zlib)."
} >"$work/table.md"

if [ -f "$inputs/limits" ] && [ "${BENCH_LIMITS:-1}" != 0 ]; then
    echo "limits..." >&2
    {
        echo
        echo "### Limits (default ArchiveLimits, one run each)"
        echo
        echo "| input | size | entries read | problems | bytes out | walk | max RSS |"
        echo "|---|---:|---:|---|---:|---:|---:|"
        for file in bomb.zip bomb.tar.gz nested.tar.gz passwords.txt; do
            path="$inputs/$file"
            line=$(/usr/bin/time -f '%M' -o "$work/rss" "$bin" "$path")
            IFS=$'\t' read -r readable problems handed _ ms <<<"$line"
            echo "| $file | $(stat -c %s "$path") B | $readable | $problems | $handed | $ms ms |" \
                "$(mib $(($(tail -n 1 "$work/rss") * 1024))) MiB |"
        done
    } >>"$work/table.md"
fi
cat "$work/table.md"
echo >&2
echo "(also in $work/table.md)" >&2
