#!/usr/bin/env bash
# Installs the Debian packages cohsim needs to build and test, if any is missing.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
need=()
# python3: the command-line tests check JSON output with it
# valgrind: tests/cli_cachegrind.sh checks `cohsim trace` against cachegrind; its
#   header registers the task stacks; CI runs memcheck (scripts/memcheck.sh)
# chromium: tests/cli_browser.sh opens a --report page in a real browser
# parallel: tests/cli_merge.sh runs shards through GNU parallel
for pkg in build-essential cmake pkg-config libcmocka-dev python3 valgrind chromium parallel; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "cohsim: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
