#!/usr/bin/env bash
# The test command: installs the system packages the build needs (when missing), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
