#!/usr/bin/env bash
# The main job on the bundled samples: builds certdrop and checks samples/drop with its password map.
# Exit status is certdrop's, except that 1 ("an item has an error") is expected here: the samples include
# an expired certificate and a wrong password on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --product certdrop
status=0
"$(swift build --show-bin-path)/certdrop" validate samples/drop --passwords samples/passwords.json "$@" || status=$?
[ "$status" -le 1 ] || exit "$status"
