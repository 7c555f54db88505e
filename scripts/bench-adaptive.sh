#!/usr/bin/env bash
# Benchmark of `certdrop import --concurrency auto` against fixed settings (not part of CI), in two sections:
#   1. throttled: a fresh `certdrop serve --throttle RATE` per run, COUNT certificates at fixed 8, fixed 32 and
#      auto. Per run: wall time against COUNT / RATE (target for auto: at most 1.15x), the 429s the service answered
#      (its certdrop_faults_injected_total{kind="throttle"}; target: fewer than fixed 32), and items not created
#      (target: none).
#   2. latency: a fresh `certdrop serve --latency LATENCY` (no throttle) per run, LATENCY_COUNT certificates at
#      fixed 1, 8, 32 and 64 and auto (--max-concurrency 64). Target: auto within 10 % of the best fixed setting.
# Every run gets a fresh service with a fresh store, so every run creates every certificate.
#
#   scripts/bench-adaptive.sh   env: CERTDROP_BIN (skips the build), BENCH_HOME (drops cached there, default
#                               /tmp/certdrop-bench), BENCH_COUNT (1000), BENCH_RATE (50), BENCH_LATENCY_COUNT (500),
#                               BENCH_LATENCY (50), BENCH_REPEATS (1; medians when more), BENCH_REPORT
#                               (docs/bench-import.md: the section between the `adaptive` markers is replaced),
#                               BENCH_PYTHON (python3)
#
# Needs curl and python3. With the defaults about 3 minutes for section 1 and 1.5 for section 2 (fixed 1 is most of
# it) after the build and the drop.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/serve.sh
root=$(pwd)
count=${BENCH_COUNT:-1000}
rate=${BENCH_RATE:-50}
latency_count=${BENCH_LATENCY_COUNT:-500}
latency=${BENCH_LATENCY:-50}
home=${BENCH_HOME:-/tmp/certdrop-bench}
report=${BENCH_REPORT:-$root/docs/bench-import.md}
repeats=${BENCH_REPEATS:-1}
python=${BENCH_PYTHON:-python3}

if [ -z "${CERTDROP_BIN:-}" ]; then
    swift build -c release --product certdrop --scratch-path "$root/.build-bench" >&2
    CERTDROP_BIN="$(swift build -c release --scratch-path "$root/.build-bench" --show-bin-path)/certdrop"
fi
bin=$(realpath "$CERTDROP_BIN")

largest=$((count > latency_count ? count : latency_count))
drop=$home/adaptive-drop-$largest
if [ ! -e "$drop.complete" ]; then
    echo "bench: making a drop of $largest certificates in $drop (once)" >&2
    rm -rf "$drop"
    bash scripts/make-drop.sh "$drop" "$largest"
    touch "$drop.complete"
fi
subset() { # N: a drop of the first N files (hard links)
    local folder=$home/adaptive-drop-$largest-first-$1
    if [ ! -e "$folder.complete" ]; then
        rm -rf "$folder"
        mkdir -p "$folder"
        mapfile -t files < <(find "$drop" -maxdepth 1 -name 'cert-*.pfx' | sort)
        ln "${files[@]:0:$1}" "$folder/"
        cp "$drop/passwords.json" "$folder/"
        touch "$folder.complete"
    fi
    echo "$folder"
}
throttled_drop=$(subset "$count")
latency_drop=$(subset "$latency_count")
cat "$drop"/*.pfx >/dev/null # page cache warm

serve_workdir
results=$work/results.jsonl

start_server() { # folder serve-arguments...
    local folder=$1
    shift
    mkdir -p "$folder"
    "$bin" serve --store "$folder/service.sqlite" --key-file "$folder/service.keys.json" --port 0 \
        --log-level error "$@" >"$folder/serve.out" 2>"$folder/serve.err" &
    server_pid=$!
    serve_await "$folder"
}
now() { date +%s.%N; }
throttle_count() { # the 429s the service answered
    curl -fsS "$url/metrics" | awk '/^certdrop_faults_injected_total\{kind="throttle"\}/ { n = $2 } END { print n + 0 }'
}

run() { # section drop setting serve-arguments...
    local section=$1 items=$2 setting=$3
    shift 3
    local folder=$work/$section-$setting-$RANDOM
    start_server "$folder" "$@"
    local options=(--concurrency "$setting")
    [ "$setting" = auto ] && [ "$section" = latency ] && options+=(--max-concurrency 64)
    local t0 t1 status=0
    t0=$(now)
    "$bin" import "$items" --passwords "$items/passwords.json" --service "$url" \
        --sas-key-file "$folder/service.keys.json" "${options[@]}" --quiet --manifest "$folder/manifest.jsonl" \
        >"$folder/import.out" 2>"$folder/import.err" || status=$?
    t1=$(now)
    local throttled
    throttled=$(throttle_count)
    serve_stop
    "$python" - "$results" "$section" "$setting" "$folder" "$t0" "$t1" "$throttled" "$status" <<'PY'
import collections, json, sys
results, section, setting, folder, t0, t1, throttled, status = sys.argv[1:]
actions = collections.Counter()
for line in open(f"{folder}/manifest.jsonl"):
    entry = json.loads(line)
    if str(entry.get("source", "")).endswith(".pfx"):
        actions[entry["action"]] += 1
window = next((l.strip() for l in open(f"{folder}/import.out") if l.startswith("concurrency auto:")), "")
with open(results, "a") as out:
    json.dump({"section": section, "setting": setting, "elapsed": float(t1) - float(t0), "throttled": int(throttled),
               "created": actions["created"], "items": sum(actions.values()), "status": int(status),
               "window": window}, out)
    out.write("\n")
PY
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$repeats"); do
    for setting in 8 32 auto; do
        echo "bench: round $round of $repeats: $count certificates, --throttle $rate, --concurrency $setting" >&2
        run throttled "$throttled_drop" "$setting" --throttle "$rate"
    done
    for setting in 1 8 32 64 auto; do
        echo "bench: round $round of $repeats: $latency_count certificates, --latency $latency, --concurrency $setting" >&2
        run latency "$latency_drop" "$setting" --latency "$latency"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$results" "$report" "$count" "$rate" "$latency_count" "$latency" "$repeats" "$load_before" \
    "$load_after" "$("$bin" --version 2>/dev/null || echo unknown)" <<'PY'
import json, statistics, sys, time
(results, report, count, rate, latency_count, latency, repeats, load_before, load_after, version) = sys.argv[1:]
count, rate, latency_count, repeats = int(count), float(rate), int(latency_count), int(repeats)
rows = [json.loads(line) for line in open(results) if line.strip()]

def pick(section, setting):
    runs = [r for r in rows if r["section"] == section and r["setting"] == setting]
    return {
        "elapsed": statistics.median(r["elapsed"] for r in runs),
        "throttled": statistics.median(r["throttled"] for r in runs),
        "failed": max(r["items"] - r["created"] for r in runs),
        "status": max(r["status"] for r in runs),
        "window": runs[-1]["window"],
    }

ideal = count / rate
lines = [
    "<!-- adaptive:begin (scripts/bench-adaptive.sh replaces this section) -->",
    "## `--concurrency auto` against fixed settings",
    "",
    f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 2 cores shared with other work (load average "
    f"{load_before} before, {load_after} after); {version}; {'median of ' + str(repeats) + ' rounds' if repeats > 1 else 'one round'}. "
    "Every run: a fresh `certdrop serve` with a new store on 127.0.0.1, legacy dialect, the drop from "
    "`scripts/make-drop.sh`, default retry policy (6 attempts, `Retry-After` honoured).",
    "",
    f"### Throttled: {count} certificates, `serve --throttle {rate:g}` (N/R = {ideal:.1f} s)",
    "",
    "| --concurrency | wall | wall / (N/R) | 429 answered | items not created | exit |",
    "|---|---:|---:|---:|---:|---:|",
]
throttled = {s: pick("throttled", s) for s in ["8", "32", "auto"]}
for setting, r in throttled.items():
    lines.append(f"| {setting} | {r['elapsed']:.1f} s | {r['elapsed'] / ideal:.2f} | {r['throttled']:g} | {r['failed']} | {r['status']} |")
auto = throttled["auto"]
ratio = auto["elapsed"] / ideal
lines += [
    "",
    f"Targets for auto: wall ≤ 1.15 × N/R: **{'met' if ratio <= 1.15 else 'missed'}** ({ratio:.2f}); no item failed: "
    f"**{'met' if auto['failed'] == 0 else 'missed'}** ({auto['failed']}); fewer 429 than fixed 32: "
    f"**{'met' if auto['throttled'] < throttled['32']['throttled'] else 'missed'}** ({auto['throttled']:g} vs "
    f"{throttled['32']['throttled']:g}).",
    f"Window: {auto['window'].removeprefix('concurrency auto: ')}.",
    "",
    f"### Latency: {latency_count} certificates, `serve --latency {latency}`, no throttle",
    "",
    "| --concurrency | wall | cert/s | items not created |",
    "|---|---:|---:|---:|",
]
settings = ["1", "8", "32", "64", "auto"]
timed = {s: pick("latency", s) for s in settings}
for setting in settings:
    r = timed[setting]
    label = "auto (--max-concurrency 64)" if setting == "auto" else setting
    lines.append(f"| {label} | {r['elapsed']:.1f} s | {latency_count / r['elapsed']:.0f} | {r['failed']} |")
best = min(["1", "8", "32", "64"], key=lambda s: timed[s]["elapsed"])
versus = timed["auto"]["elapsed"] / timed[best]["elapsed"]
lines += [
    "",
    f"Target: auto within 10 % of the best fixed setting ({best}): **{'met' if versus <= 1.10 else 'missed'}** "
    f"(auto / best = {versus:.2f}). Window: {timed['auto']['window'].removeprefix('concurrency auto: ')}.",
    "",
    "Reproduce with `scripts/bench-adaptive.sh`.",
    "<!-- adaptive:end -->",
]
block = "\n".join(lines) + "\n"
try:
    text = open(report).read()
except FileNotFoundError:
    text = ""
begin, end = text.find("<!-- adaptive:begin"), text.find("<!-- adaptive:end -->")
if begin >= 0 and end > begin:
    text = text[:begin] + block + text[end + len("<!-- adaptive:end -->"):].lstrip("\n")
else:
    text = text.rstrip("\n") + "\n\n" + block
open(report, "w").write(text)
print(block)
PY
