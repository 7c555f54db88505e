#!/usr/bin/env bash
# Every test under AddressSanitizer: `swift test --sanitize=address`, in its own build folder (.build-asan) so that
# it does not throw away the ordinary debug build. Installs the system packages first, as scripts/test.sh does.
# Takes about twice the ordinary build; leaks are not checked (LeakSanitizer reports OpenSSL's and the Swift
# runtime's process-lifetime allocations).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1}
swift build --build-tests --sanitize=address --scratch-path .build-asan
swift test --skip-build --sanitize=address --scratch-path .build-asan "$@"
