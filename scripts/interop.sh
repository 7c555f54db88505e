#!/usr/bin/env bash
# Interop test of `certdrop serve` against real clients, on 127.0.0.1:
#   1. the official Azure SDK for Python (azure-mgmt-apimanagement) drives the ARM dialect
#      (scripts/interop-azure-sdk.py: create, get, get_entity_tag, list_by_service with a filter and paging,
#      create_or_update with if_match, delete; Key Vault certificates against a local Key Vault folder:
#      refresh_secret after a rotation, list_by_service with is_key_vault_refresh_failed);
#   2. the reference's C# sample, translated to curl, uploads through the legacy dialect (scripts/legacy-sample.sh);
#   3. a write acknowledged before `kill -9` is still there after a restart;
#   4. SIGTERM stops the server gracefully with exit status 0.
#
# Environment: CERTDROP_BIN (default: build with `swift build --product certdrop` and use its bin path),
# CERTDROP_VENV (default: scripts/.venv; created and filled from PyPI when the SDK is missing).
# Exit status: 0 when every step passed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/serve.sh

if [ -z "${CERTDROP_BIN:-}" ]; then
    swift build --product certdrop >&2
    CERTDROP_BIN="$(swift build --show-bin-path)/certdrop"
fi
CERTDROP_BIN=$(realpath "$CERTDROP_BIN")
venv=${CERTDROP_VENV:-scripts/.venv}
if ! "$venv/bin/python" -c 'import azure.mgmt.apimanagement, azure.core' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'azure-mgmt-apimanagement>=4' 'azure-core>=1.30'
fi

serve_workdir

bash scripts/make-pkcs12-fixtures.sh "$work/fixtures" >/dev/null 2>&1
instance=certdrop-interop
# The local Key Vault: one version of one secret, an unprotected PFX as Key Vault exports it (mode 0600).
mkdir -p "$work/keyvault/kv-interop/gateway"
install -m 600 "$work/fixtures/empty-password.pfx" "$work/keyvault/kv-interop/gateway/v1.pfx"

# Starts the server in $work with --port 0 and sets server_pid and url.
start_server() {
    (cd "$work" && exec "$CERTDROP_BIN" serve --port 0 --instance "$instance" --key-vault-dir "$work/keyvault") \
        >"$work/serve.out" 2>>"$work/serve.err" &
    server_pid=$!
    serve_await "$work"
}

start_server
echo "interop: certdrop serve on $url (pid $server_pid)"
token() { (cd "$work" && "$CERTDROP_BIN" token "$@"); }

echo "== Azure SDK for Python, ARM dialect"
CERTDROP_URL=$url CERTDROP_BEARER=$(token --bearer) CERTDROP_INSTANCE=$instance CERTDROP_FIXTURES=$work/fixtures \
    CERTDROP_KEY_VAULT=$work/keyvault "$venv/bin/python" scripts/interop-azure-sdk.py

echo "== the reference's C# sample as curl, legacy dialect"
CERTDROP_URL=$url CERTDROP_SAS=$(token) \
    bash scripts/legacy-sample.sh "$work/fixtures/rsa-default.pfx" rsa-default-pw legacy-sample

echo "== an acknowledged write survives kill -9"
sas=$(token)
body=$(python3 -c 'import base64, json, sys; print(json.dumps({"data": base64.b64encode(open(sys.argv[1], "rb").read()).decode(), "password": "ec-pw"}))' "$work/fixtures/ec-p256.pfx")
status=$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code}' -X PUT \
    "$url/certificates/before-kill?api-version=2014-02-14" -H "Authorization: $sas" \
    -H 'Content-Type: application/json' --data-binary @-)
[ "$status" = 201 ] || { echo "interop: PUT before kill answered $status" >&2; exit 1; }
{
    kill -9 "$server_pid"
    wait "$server_pid" || true
} 2>/dev/null
: >"$work/serve.out"
start_server
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/certificates/before-kill?api-version=2014-02-14" \
    -H "Authorization: $(token)")
[ "$status" = 200 ] || { echo "interop: after kill -9 and a restart, GET answered $status" >&2; exit 1; }
echo "ok   the certificate written before kill -9 is there after a restart"

echo "== SIGTERM stops gracefully"
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" = 0 ] || { echo "interop: the server exited with $rc after SIGTERM" >&2; exit 1; }
echo "ok   exit status 0 after SIGTERM"
if grep -E -q 'sn=|Bearer certdrop\.|"password"|primaryKey|rsa-default-pw|ec-pw' "$work/serve.err"; then
    echo "interop: the server log holds a secret" >&2
    exit 1
fi
echo "ok   the server log holds no signature, token, password or key"
echo "interop: all passed"
