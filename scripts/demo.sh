#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, runs `cohsim demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(bash scripts/build.sh)
exec "$dir/cohsim" demo "$@"
