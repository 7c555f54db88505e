#!/usr/bin/env bash
# The test command: installs the system packages the build needs (when missing) and the optional PKCS#12 writers
# of the interoperability tests (when missing; a writer that cannot be installed is skipped by those tests), then
# runs every test. The report tests' checkers (headless Chromium, a SARIF schema validator, a Prometheus parser) are
# installed when missing by scripts/install-report-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-interop-writers.sh || echo "test.sh: some interop writers are unavailable; their tests skip" >&2
bash scripts/install-report-tools.sh || echo "test.sh: chromium or the report checkers are unavailable; their tests skip" >&2
swift build --build-tests
swift test --skip-build "$@"
