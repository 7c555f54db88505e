#!/usr/bin/env bash
# bench-unpack.sh [entries]
#
# Times ArchiveKit (release build) on generated drops and prints, per input: entries read, problems by code,
# bytes handed out, wall time and peak memory (max RSS). Shows that cost follows the work, not the entry count
# or what an archive claims: a 200 MB zip bomb must take milliseconds and little memory.
#
# Builds a throwaway package next to the inputs (Sources/ArchiveKit and Sources/CArchive are symlinked from
# this repository), so it neither touches Package.swift nor needs the other modules to build.
# Inputs and the build are cached in ${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-unpack}; delete it to start over.
set -euo pipefail

entries=${1:-10000}
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/.." && pwd)
work=${BENCH_DIR:-${TMPDIR:-/tmp}/certdrop-bench-unpack}
pkg="$work/pkg"
inputs="$work/inputs-$entries"

bash "$here/install-deps.sh"
command -v python3 >/dev/null || { echo "$0: python3 is needed to make the inputs" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: /usr/bin/time is needed for peak memory (apt-get install time)" >&2; exit 2; }

# The throwaway package: ArchiveKit and a small executable over it.
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
import Foundation

// bench-unpack FILE: reads FILE with the default limits and prints one tab-separated line:
// readable entries, problems as code=count, bytes handed out, milliseconds.

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

guard CommandLine.arguments.count == 2, let bytes = load(CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: bench-unpack FILE\n".utf8))
    exit(2)
}
let name = URL(fileURLWithPath: CommandLine.arguments[1]).lastPathComponent
var readable = 0
var handedOut = 0
var problems: [String: Int] = [:]
let clock = ContinuousClock()
let elapsed = clock.measure {
    ArchiveReader().forEachEntry(in: bytes, named: name) { entry in
        switch entry.content {
        case .success(let content):
            readable += 1
            handedOut += content.count
        case .failure(let problem):
            problems[problem.code.rawValue, default: 0] += 1
        }
    }
}
let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
let problemText = problems.isEmpty ? "-" : problems.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    .joined(separator: ",")
print("\(readable)\t\(problemText)\t\(handedOut)\t\(String(format: "%.1f", milliseconds))")
EOF
echo "building (release)..." >&2
swift build -c release --package-path "$pkg" --product bench-unpack >&2
bin="$(swift build -c release --package-path "$pkg" --show-bin-path)/bench-unpack"

# The inputs, made once per entry count.
if [ ! -f "$inputs/done" ]; then
    echo "making inputs ($entries entries)..." >&2
    rm -rf -- "$inputs"
    mkdir -p "$inputs"
    (cd "$inputs" && ENTRIES="$entries" python3 - <<'EOF'
import io, os, random, tarfile, zipfile

entries = int(os.environ["ENTRIES"])
rng = random.Random(1)
def blob():
    # About the size of a PKCS#12 file, and about as compressible.
    return bytes(rng.getrandbits(8) for _ in range(2500))

files = [("certs/%05d.pfx" % i, blob()) for i in range(entries)]

with zipfile.ZipFile("many.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in files:
        z.writestr(name, data)

for mode, suffix in (("w:gz", "tar.gz"), ("w:xz", "tar.xz")):
    with tarfile.open("many." + suffix, mode) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))

# 100 zips of entries/100 files each, in a tar.gz: nesting without more entries in total.
with tarfile.open("nested.tar.gz", "w:gz") as t:
    per = max(1, entries // 100)
    for k in range(100):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files[k * per:(k + 1) * per]:
                z.writestr(name, data)
        info = tarfile.TarInfo("inner-%03d.zip" % k)
        info.size = buffer.tell()
        buffer.seek(0)
        t.addfile(info, buffer)

# Bombs: 200 MB of zeros in a zip (about 200 KB), and 1 GB of zeros in a tar.gz (about 1 MB).
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open("zeros.bin", "w", force_zip64=True) as f:
        for _ in range(200):
            f.write(bytes(1 << 20))
    z.writestr("after.pem", b"data")
with tarfile.open("bomb.tar.gz", "w:gz", compresslevel=9) as t:
    class Zeros(io.RawIOBase):
        def readable(self):
            return True
        def readinto(self, b):
            b[:] = bytes(len(b))
            return len(b)
    info = tarfile.TarInfo("zeros.bin")
    info.size = 1 << 30
    t.addfile(info, io.BufferedReader(Zeros(), 1 << 20))
    info = tarfile.TarInfo("after.pem")
    info.size = 4
    t.addfile(info, io.BytesIO(b"data"))

# Plain text: not an archive, one entry.
open("passwords.txt", "w").write("".join("secret-%d\n" % i for i in range(entries)))
EOF
    )
    touch "$inputs/done"
fi

printf '%-16s %10s %9s  %-40s %12s %10s %10s\n' input "size" entries problems "bytes out" "ms" "max RSS"
for file in many.zip many.tar.gz many.tar.xz nested.tar.gz bomb.zip bomb.tar.gz passwords.txt; do
    path="$inputs/$file"
    result=$(/usr/bin/time -f '%M' -o "$work/rss" "$bin" "$path")
    IFS=$'\t' read -r readable problems handed ms <<<"$result"
    rss_kib=$(tail -n 1 "$work/rss")
    printf '%-16s %10s %9s  %-40s %12s %10s %8s MB\n' "$file" "$(stat -c %s "$path")" "$readable" "$problems" \
        "$handed" "$ms" "$((rss_kib / 1024))"
done
