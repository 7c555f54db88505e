#!/usr/bin/env bash
# The main job on the bundled samples: builds certdrop and imports samples/drop (with its password map) into the
# embedded local service, whose store lives under .certdrop/ (or $CERTDROP_HOME). Then lists what it holds.
# Exit status is certdrop's, except that 1 ("an item is invalid") is expected here: the samples include an
# expired certificate and a wrong password on purpose. The "expiring soon" sample is made relative to today first
# (scripts/make-expiring-sample.sh), so the expected output holds on any day; --on-existing update replaces it in
# the store when that script has just renewed it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/make-expiring-sample.sh
swift build --product certdrop
bin="$(swift build --show-bin-path)/certdrop"
status=0
"$bin" import samples/drop --passwords samples/passwords.json --on-existing update "$@" || status=$?
[ "$status" -le 1 ] || exit "$status"
"$bin" list
