#!/usr/bin/env bash
# Benchmark of `certdrop import` on this machine, in one run (not part of CI):
#   1. 2,000 certificates imported into a fresh `certdrop serve --latency 20` at concurrency 1, 8 and 32, against a
#      reference client (scripts/bench/import_reference.py: Python `requests`, a ThreadPoolExecutor, a Session per
#      thread) doing the same PUTs with the same bodies, precomputed outside its clock. Targets: certdrop at least
#      1.5x the reference at each concurrency; throughput that scales with concurrency until the service's CPU is
#      the limit.
#   2. `certdrop validate` on the same drop, for context: certdrop's import number includes reading, parsing and
#      checking every PFX (its whole pipeline); the reference only PUTs.
#   3. Peak memory (max RSS) of `certdrop import` at concurrency 8 for 2,000 and 20,000 certificates (target: the
#      20,000 run within 1.2x of the 2,000 one).
# Every run gets a fresh service with a fresh store, so every run creates every certificate.
#
#   scripts/bench-import.sh     env: CERTDROP_BIN (skips the build), BENCH_HOME (drops are cached there, default
#                               /tmp/certdrop-bench), BENCH_COUNT (2000), BENCH_MEMORY_COUNT (20000),
#                               BENCH_LATENCY (20), BENCH_REPEATS (3 rounds, medians reported),
#                               BENCH_REPORT (docs/bench-import.md), BENCH_PYTHON (python3)
#
# Needs python3 with requests, curl and GNU time (/usr/bin/time). About 7–9 minutes after the build and the drops (making
# the 20,000-certificate drop takes a few minutes the first time; it is kept under BENCH_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/serve.sh
root=$(pwd)
count=${BENCH_COUNT:-2000}
memory_count=${BENCH_MEMORY_COUNT:-20000}
latency=${BENCH_LATENCY:-20}
home=${BENCH_HOME:-/tmp/certdrop-bench}
report=${BENCH_REPORT:-$root/docs/bench-import.md}
concurrencies=(1 8 32)
repeats=${BENCH_REPEATS:-3} # interleaved rounds; the report takes medians (other work on the machine adds noise)
python=${BENCH_PYTHON:-python3}

[ -x /usr/bin/time ] || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 2; }
"$python" -c 'import requests' 2>/dev/null || {
    echo "bench: $python has no requests (python3 -m venv /tmp/venv && /tmp/venv/bin/pip install requests;" \
        "then BENCH_PYTHON=/tmp/venv/bin/python3)" >&2
    exit 2
}

if [ -z "${CERTDROP_BIN:-}" ]; then
    swift build -c release --product certdrop --scratch-path "$root/.build-bench" >&2
    CERTDROP_BIN="$(swift build -c release --scratch-path "$root/.build-bench" --show-bin-path)/certdrop"
fi
bin=$(realpath "$CERTDROP_BIN")

# The drops: COUNT distinct files for the speed runs and the small memory run, MEMORY_COUNT for the large one.
# The small drop is the first COUNT files of the large one (hard links), so both come from one make-drop.sh run.
mkdir -p "$home"
large=$home/drop-$memory_count
if [ ! -e "$large.complete" ]; then
    echo "bench: making a drop of $memory_count certificates in $large (a few minutes, once)" >&2
    rm -rf "$large"
    bash scripts/make-drop.sh "$large" "$memory_count"
    touch "$large.complete"
fi
small=$home/drop-$count
if [ ! -e "$small.complete" ]; then
    rm -rf "$small"
    mkdir -p "$small"
    mapfile -t files < <(find "$large" -maxdepth 1 -name 'cert-*.pfx' | sort)
    ln "${files[@]:0:count}" "$small/"
    cp "$large/passwords.json" "$small/"
    touch "$small.complete"
fi
[ "$(find "$small" -name '*.pfx' | wc -l)" -eq "$count" ] || { echo "bench: $small is not $count files" >&2; exit 1; }
cat "$large"/*.pfx >/dev/null # page cache warm for everyone

serve_workdir
results=$work/results.jsonl
ticks=$(getconf CLK_TCK)

start_server() { # folder
    mkdir -p "$1"
    "$bin" serve --store "$1/service.sqlite" --key-file "$1/service.keys.json" --port 0 --latency "$latency" \
        --log-level error >"$1/serve.out" 2>"$1/serve.err" &
    server_pid=$!
    serve_await "$1"
}
server_cpu() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }
machine_busy() { awk '/^cpu / { printf "%d %d", $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
now() { date +%s.%N; }
stored() { # how many certificates the service holds
    curl -fsS -H "Authorization: $("$bin" token --key-file "$1/service.keys.json")" \
        "$url/certificates?api-version=2014-02-14&\$top=1" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["count"])'
}

# certdrop import DROP at concurrency C into a fresh service; appends a result line.
run_certdrop() { # label drop concurrency
    local label=$1 drop=$2 c=$3 folder=$work/$1-$3-$RANDOM
    start_server "$folder"
    local cpu0 busy0 t0 t1 cpu1 busy1 status=0
    cpu0=$(server_cpu); busy0=$(machine_busy); t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$folder/time" "$bin" import "$drop" --passwords "$drop/passwords.json" \
        --service "$url" --sas-key-file "$folder/service.keys.json" --concurrency "$c" --quiet \
        --manifest "$folder/manifest.jsonl" >"$folder/import.out" 2>"$folder/import.err" || status=$?
    t1=$(now); cpu1=$(server_cpu); busy1=$(machine_busy)
    local held
    held=$(stored "$folder")
    serve_stop
    [ "$status" -eq 0 ] || { echo "bench: certdrop import exited $status" >&2; cat "$folder/import.err" >&2; exit 1; }
    "$python" - "$results" "$label" "$c" "$folder" "$t0" "$t1" "$cpu0" "$cpu1" "$busy0 $busy1" "$held" <<'PY'
import collections, json, sys
results, label, c, folder, t0, t1, cpu0, cpu1, busy, held = sys.argv[1:]
rss, user, system = open(f"{folder}/time").read().split()[-3:]
actions = collections.Counter()
for line in open(f"{folder}/manifest.jsonl"):
    entry = json.loads(line)
    if str(entry.get("source", "")).endswith(".pfx"):  # the drop's passwords.json is an item too, `skipped`
        actions[entry["action"]] += 1
b0, tot0, b1, tot1 = map(int, busy.split())
json.dump({"client": "certdrop", "label": label, "c": int(c), "count": sum(actions.values()),
           "created": actions["created"], "held": int(held), "elapsed": float(t1) - float(t0),
           "client_cpu": float(user) + float(system), "rss_kib": int(rss),
           "server_cpu": float(cpu1) - float(cpu0), "machine_busy": (b1 - b0) / max(1, tot1 - tot0)},
          open(results, "a"))
open(results, "a").write("\n")
PY
}

# The reference client at concurrency C into a fresh service.
run_reference() { # drop concurrency
    local drop=$1 c=$2 folder=$work/reference-$2-$RANDOM
    start_server "$folder"
    local token
    token=$("$bin" token --key-file "$folder/service.keys.json" --ttl 7200)
    # The clock runs inside the script, around the PUTs only; the server CPU and machine counters are read
    # around the whole process (body preparation included, which is a few hundred ms of the client's, not the
    # service's, time).
    local cpu0 busy0 cpu1 busy1 status=0
    cpu0=$(server_cpu); busy0=$(machine_busy)
    printf '%s\n' "$token" | /usr/bin/time -f '%M %U %S' -o "$folder/time" \
        "$python" scripts/bench/import_reference.py "$drop" "$url" "$c" >"$folder/out.json" 2>"$folder/err" || status=$?
    cpu1=$(server_cpu); busy1=$(machine_busy)
    local held
    held=$(stored "$folder")
    serve_stop
    [ "$status" -eq 0 ] || { echo "bench: the reference exited $status" >&2; cat "$folder/out.json" "$folder/err" >&2; exit 1; }
    "$python" - "$results" "$c" "$folder" "$cpu0" "$cpu1" "$busy0 $busy1" "$held" <<'PY'
import json, sys
results, c, folder, cpu0, cpu1, busy, held = sys.argv[1:]
out = json.load(open(f"{folder}/out.json"))
rss = int(open(f"{folder}/time").read().split()[-3])
b0, tot0, b1, tot1 = map(int, busy.split())
json.dump({"client": "reference", "label": "speed", "c": int(c), "count": out["count"],
           "created": out["statuses"].get("201", 0), "held": int(held), "elapsed": out["elapsed"],
           "client_cpu": out["cpu"], "rss_kib": rss, "server_cpu": float(cpu1) - float(cpu0),
           "machine_busy": (b1 - b0) / max(1, tot1 - tot0)}, open(results, "a"))
open(results, "a").write("\n")
PY
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$repeats"); do
    for c in "${concurrencies[@]}"; do
        echo "bench: round $round of $repeats, $count certificates at concurrency $c: reference, then certdrop" >&2
        run_reference "$small" "$c"
        run_certdrop speed "$small" "$c"
    done
done

echo "bench: certdrop validate on the same drop" >&2
validate_time=()
for _ in 1 2 3; do
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$work/validate.time" "$bin" validate "$small" --passwords "$small/passwords.json" \
        --format jsonl --output "$work/validate.jsonl" >/dev/null 2>&1 || true
    t1=$(now)
    [ "$(grep -c '"verdict":"ok"' "$work/validate.jsonl")" -eq "$count" ] || { echo "bench: validate missed items" >&2; exit 1; }
    validate_time+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    printf '{"client": "validate", "label": "validate", "c": 0, "count": %d, "elapsed": %s, "rss_kib": %s, "client_cpu": %s}\n' \
        "$count" "${validate_time[-1]}" "$(cut -d' ' -f1 "$work/validate.time")" \
        "$(awk '{ print $2 + $3 }' "$work/validate.time")" >>"$results"
done

echo "bench: peak memory at concurrency 8: $count, then $memory_count certificates" >&2
run_certdrop memory "$small" 8
run_certdrop memory "$large" 8
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" scripts/bench/import_report.py "$results" "$report" "$count" "$memory_count" "$latency" \
    "$load_before" "$load_after" "$("$bin" --version 2>/dev/null || echo unknown)" \
    "$(swift --version 2>/dev/null | head -1)"
