# shellcheck shell=bash
# scripts/lib/serve.sh: a work folder and one `certdrop serve` child, for the scripts that drive a live service
# (interop.sh, bench-import.sh, bench-adaptive.sh, bench-service.sh). They source it after `set -euo pipefail`;
# it defines functions only. The caller launches the server itself (each passes its own options), in the
# background with its output in FOLDER/serve.out and FOLDER/serve.err, and sets server_pid to it.
#   serve_workdir          makes the temporary folder $work, clears server_pid, and sets an EXIT trap that kills
#                          a server still running and removes $work
#   serve_await FOLDER     waits (30 s at most) for the "listening on http://…" line in FOLDER/serve.out and sets
#                          url from it; a server that exits first, or never says it, ends the script with its log
#   serve_stop             SIGTERM, then waits for the server to exit; clears server_pid

serve_workdir() {
    work=$(mktemp -d)
    server_pid=""
    trap serve_cleanup EXIT
}

serve_cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}

serve_await() { # folder
    local folder=$1
    for _ in $(seq 1 300); do
        grep -q 'listening on http://' "$folder/serve.out" 2>/dev/null && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$0: the service did not start:" >&2
            cat "$folder/serve.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    url=$(grep -o 'listening on http://[^ ]*' "$folder/serve.out" | head -1 | cut -d' ' -f3)
    [ -n "$url" ] || { echo "$0: the service printed no 'listening on' line" >&2; cat "$folder/serve.err" >&2; exit 1; }
}

serve_stop() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}
