"""Runs the measurements of scripts/bench-validate.sh and prints the table (text on stdout, Markdown in
$OUT/table.md). The script configures it through the environment: BENCH, BASELINE_BENCH and BASELINE_REV (may be
empty), CERTDROP (may be empty), PEER_PYTHON, INPUTS, OUT, PASSES, SLOW_FILES, QUIET_WAIT, NICE (may be empty)."""

import glob
import os
import subprocess
import sys
import time

BENCH = os.environ["BENCH"]
BASELINE_BENCH = os.environ.get("BASELINE_BENCH", "")
BASELINE_REV = os.environ.get("BASELINE_REV", "")
CERTDROP = os.environ.get("CERTDROP", "")
PEER_PYTHON = os.environ["PEER_PYTHON"]
INPUTS = os.environ["INPUTS"]
OUT = os.environ["OUT"]
PASSES = os.environ.get("PASSES", "5")
SLOW_FILES = int(os.environ.get("SLOW_FILES", "100"))
QUIET_WAIT = float(os.environ.get("QUIET_WAIT", "300"))
NICE = os.environ.get("NICE", "")
PASSWORD = os.path.join(INPUTS, "password")
PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")
CORES = {1: "0", 2: "0,1"}

busiest = [0.0]
quiet_budget = [QUIET_WAIT]


def busy_fraction(seconds=1.0):
    """The share of all CPUs' time that was not idle over `seconds` (nothing of ours runs meanwhile)."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + fields[4]
        return idle, sum(fields)
    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet():
    """Waits until the machine is nearly idle (others' builds slow every row down), spending at most QUIET_WAIT
    seconds over the whole run; records how busy it was."""
    while True:
        busy = busy_fraction()
        if busy < 0.10 or quiet_budget[0] <= 0:
            busiest[0] = max(busiest[0], busy)
            return
        print("  machine busy (%.0f%%), waiting..." % (100 * busy), file=sys.stderr)
        time.sleep(4)
        quiet_budget[0] -= 5


def pinned(cmd, cores):
    """cmd on `cores` cores (the first one, or the first two), at priority NICE when set."""
    return (["nice", "-n", NICE] if NICE else []) + ["taskset", "-c", CORES[cores]] + cmd


def run(cmd, cores):
    """Runs cmd pinned to `cores` cores and returns the fields of its last `key=value` line."""
    wait_for_quiet()
    full = pinned(cmd, cores)
    result = subprocess.run(full, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(full[:8]), result.stderr))
    line = result.stdout.strip().splitlines()[-1]
    fields = dict(item.split("=", 1) for item in line.split())
    if int(fields.get("failed", "0")) != 0:
        sys.exit("%s: %s files failed to open" % (" ".join(full[:6]), fields["failed"]))
    return fields


def ours(bench, files, cores):
    return float(run([bench, "open", "--threads", str(cores), "--passes", "1", "--password-file", PASSWORD]
                     + files, cores)["rate"])


def floor(cores, kdf):
    return float(run([BENCH, "floor", "--threads", str(cores), "--passes", "1", "--count", str(200 * cores),
                      "--kdf", kdf], cores)["rate"])


def python_peer(files, cores):
    fields = run([PEER_PYTHON, PEERS, "python", "--workers", str(cores), "--passes", "1", "--password-file",
                  PASSWORD] + files, cores)
    return float(fields["rate"]), fields.get("version", "?").replace("_", " ")


def openssl_peer(files, cores):
    return float(run([sys.executable, PEERS, "openssl", "--workers", str(cores), "--passes", "1",
                      "--password-file", PASSWORD] + files, cores)["rate"])


def certdrop_validate(folder, count, cores):
    """One run of the whole `certdrop validate` pipeline over a folder, process start included."""
    wait_for_quiet()
    began = time.perf_counter()
    result = subprocess.run(
        pinned([CERTDROP, "validate", folder, "--password-file", PASSWORD, "--no-sidecars", "--format", "jsonl",
                "--output", os.devnull], cores),
        capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    # The files share one certificate, so all but the first are `duplicate` (exit 1): expected here.
    if result.returncode not in (0, 1):
        sys.exit("certdrop validate failed:\n" + result.stderr)
    return count / elapsed


def integer_loop_rate(cores):
    """Loops of plain integer arithmetic per second on `cores` cores (one process each): what the machine's cores
    give together when nothing but arithmetic runs, the ceiling of any 2-core speed-up here."""
    loop = "x = 1\nfor i in range(4_000_000):\n    x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFF"
    wait_for_quiet()
    began = time.perf_counter()
    nice = ["nice", "-n", NICE] if NICE else []
    procs = [subprocess.Popen(nice + ["taskset", "-c", str(core), sys.executable, "-c", loop])
             for core in range(cores)]
    for p in procs:
        p.wait()
    return cores / (time.perf_counter() - began)


def first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return "?"


def main():
    kinds = {kind: sorted(glob.glob(os.path.join(INPUTS, kind, "*.pfx"))) for kind in ("rsa", "ec")}
    results = {}
    peer_version = ["?"]
    fast_floor = subprocess.run([BENCH, "floor", "--count", "1", "--passes", "1", "--kdf", "fast"],
                                capture_output=True).returncode == 0

    def record(key, value):
        results[key] = max(results.get(key, 0.0), value)

    def python_rate(files, cores):
        rate, peer_version[0] = python_peer(files, cores)
        return rate

    # The contenders take turns, one pass each per round (in a rotating order), so that all of them see the same
    # conditions; each keeps its best round.
    for kind, files in kinds.items():
        slow = files[:SLOW_FILES]
        for cores in (1, 2):
            contenders = [
                ((kind, "ours", cores), lambda: ours(BENCH, files, cores)),
                ((kind, "python", cores), lambda: python_rate(files if kind == "ec" else slow, cores)),
                ((kind, "openssl", cores), lambda: openssl_peer(slow, cores)),
                (("floor", cores), lambda: floor(cores, "openssl")),
            ]
            if BASELINE_BENCH:
                contenders.append(((kind, "baseline", cores), lambda: ours(BASELINE_BENCH, files, cores)))
            if CERTDROP:
                contenders.append(((kind, "cli", cores),
                                   lambda: certdrop_validate(os.path.join(INPUTS, kind), len(files), cores)))
            if fast_floor:
                contenders.append((("fastfloor", cores), lambda: floor(cores, "fast")))
            contenders.append((("loop", cores), lambda: integer_loop_rate(cores)))
            for round_ in range(int(PASSES)):
                print("%s, %d core(s), round %d of %s..." % (kind, cores, round_ + 1, PASSES), file=sys.stderr)
                turn = round_ % len(contenders)
                for key, measure in contenders[turn:] + contenders[:turn]:
                    record(key, measure())

    with open(os.path.join(INPUTS, "parameters.txt")) as f:
        parameters = "; ".join(line.strip() for line in f if line.strip())
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    header = [
        "%d RSA-2048 and %d EC P-256 files (key, leaf and CA each): %s." % (
            len(kinds["rsa"]), len(kinds["ec"]), parameters),
        "%s, %d cores; %s; system %s; Python peer %s. Best of %s rounds in which the contenders take turns, one "
        "pass over the files each (the openssl CLI, and Python on RSA, over the first %d files). Other work kept "
        "the machine up to %.0f%% busy just before a measurement%s." % (
            cpu, os.cpu_count(), first_line(["swift", "--version"]).replace("Swift version ", "Swift "),
            first_line(["openssl", "version"]).split(" (")[0], peer_version[0], PASSES,
            min(SLOW_FILES, len(kinds["rsa"])), 100 * busiest[0],
            "; every measured process ran at nice %s" % NICE if NICE else ""),
    ]

    rows = []

    def r(kind, what, cores):
        return results.get((kind, what, cores))

    def add(label, fmt, values):
        rows.append([label] + [fmt(v) if v is not None else "–" for v in values])

    def each(fn):
        return [fn(kind, cores) for kind in ("rsa", "ec") for cores in (1, 2)]

    def ratio(a, b):
        return lambda kind, cores: (r(kind, a, cores) / r(kind, b, cores)
                                    if r(kind, a, cores) and r(kind, b, cores) else None)

    number = "{:,.0f}".format
    plain = "%.2f".__mod__
    times = "%.2fx".__mod__
    add("certdrop (PKCS12Bundle.open)", number, each(lambda k, c: r(k, "ours", c)))
    if BASELINE_BENCH:
        add("certdrop at %s" % BASELINE_REV, number, each(lambda k, c: r(k, "baseline", c)))
    if CERTDROP:
        add("certdrop validate (pipeline, process start)", number, each(lambda k, c: r(k, "cli", c)))
    add("python cryptography load_key_and_certificates", number, each(lambda k, c: r(k, "python", c)))
    add("openssl pkcs12 -noout, spawned per file", number, each(lambda k, c: r(k, "openssl", c)))
    add("floor: the derivations alone, OpenSSL 3.0", number, each(lambda k, c: results[("floor", c)]))
    if fast_floor:
        add("floor with CertDrop's derivations", number, each(lambda k, c: results[("fastfloor", c)]))
    add("2-core speed-up, a plain integer loop (machine)", times,
        each(lambda k, c: None if c == 1 else results[("loop", 2)] / results[("loop", 1)]))
    add("certdrop / floor (OpenSSL), per core", plain, each(lambda k, c: r(k, "ours", c) / results[("floor", c)]))
    add("2-core speed-up, certdrop", times, each(lambda k, c: None if c == 1 else r(k, "ours", 2) / r(k, "ours", 1)))
    add("2-core speed-up, floor (OpenSSL)", times,
        each(lambda k, c: None if c == 1 else results[("floor", 2)] / results[("floor", 1)]))
    if fast_floor:
        add("2-core speed-up, floor (CertDrop's derivations)", times,
            each(lambda k, c: None if c == 1 else results[("fastfloor", 2)] / results[("fastfloor", 1)]))
    if BASELINE_BENCH:
        add("certdrop / certdrop at %s" % BASELINE_REV, times, each(ratio("ours", "baseline")))
    add("certdrop / python", times, each(ratio("ours", "python")))
    if CERTDROP:
        add("certdrop validate / python", times, each(ratio("cli", "python")))
        add("2-core speed-up, certdrop validate", times,
            each(lambda k, c: None if c == 1 or not r(k, "cli", 1) else r(k, "cli", 2) / r(k, "cli", 1)))
    add("certdrop / openssl CLI", times, each(ratio("ours", "openssl")))

    titles = ["files/s", "RSA 1 core", "RSA 2 cores", "EC 1 core", "EC 2 cores"]
    widths = [max(len(str(row[i])) for row in rows + [titles]) for i in range(5)]
    print("\n".join(header))
    print()
    for row in [titles] + rows:
        print("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row)))

    markdown = [header[0], "", header[1], "", "| " + " | ".join(titles) + " |", "|---|" + "---:|" * 4]
    markdown += ["| " + " | ".join(row) + " |" for row in rows]
    with open(os.path.join(OUT, "table.md"), "w") as f:
        f.write("\n".join(markdown) + "\n")
    print("\n(Markdown: %s)" % os.path.join(OUT, "table.md"), file=sys.stderr)


if __name__ == "__main__":
    main()
