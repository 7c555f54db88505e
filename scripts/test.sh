#!/usr/bin/env bash
# The test command: installs the system packages the build needs (when missing) and the optional PKCS#12 writers
# of the interoperability tests (when missing; a writer that cannot be installed is skipped by those tests), then
# runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-interop-writers.sh || echo "test.sh: some interop writers are unavailable; their tests skip" >&2
swift build --build-tests
swift test --skip-build "$@"
