#!/usr/bin/env bash
# A real browser checks the --report page: headless Chromium (Debian's
# `chromium`, installed by scripts/deps.sh) loads a report, its script runs
# without error and marks the page ready, the timeline holds one element per
# event and a row per finding, and a screenshot is kept as a CI artifact
# (BUILD/artifacts/timeline.png). Without chromium the test is skipped
# (exit 77) with a message saying so.
#   usage: bash cli_browser.sh BIN SRCDIR
set -u
BIN=$1
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "cli_browser: SKIPPED: no chromium (bash scripts/deps.sh installs it)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
ART=$(dirname "$BIN")/artifacts
mkdir -p "$ART"

# chromium as root needs --no-sandbox; its own HOME keeps it off the user's profile
browse() {
	HOME=$TMP timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TMP/profile" "$@" 2>"$TMP/chromium.err"
}

for s in kmap-high-get; do
	"$BIN" run "$s" --report "$TMP/$s.html" >/dev/null 2>&1
	browse --dump-dom "file://$TMP/$s.html" >"$TMP/$s.dom"
	check
	[ -s "$TMP/$s.dom" ] || fail "$s: chromium gave no DOM ($(tail -c 300 "$TMP/chromium.err"))"
	body=$(grep -o '<body[^>]*>' "$TMP/$s.dom")
	check
	case $body in *'data-ready="1"'*) ;; *) fail "$s: the page's script did not finish: $body" ;; esac
	check
	case $body in *data-error*) fail "$s: script error: $body" ;; esac
	items=$(sed -n 's/.*<svg id="timeline"[^>]* data-items="\([0-9]*\)".*/\1/p' "$TMP/$s.html")
	shown=$(echo "$body" | sed -n 's/.*data-events="\([0-9]*\)".*/\1/p')
	check
	[ -n "$items" ] && [ "$items" = "$shown" ] ||
		fail "$s: the browser shows $shown event elements for $items events"
	nf=$(sed -n 's/.*<svg id="timeline"[^>]* data-findings="\([0-9]*\)".*/\1/p' "$TMP/$s.html")
	rows=$(grep -c 'class="lbl hist-lbl"' "$TMP/$s.dom")
	check
	[ -n "$nf" ] && [ "$nf" -ge 1 ] && [ "$rows" = "$nf" ] ||
		fail "$s: $rows finding rows for $nf findings"
done

browse --screenshot="$ART/timeline.png" --window-size=1400,900 \
	"file://$TMP/kmap-high-get.html" >/dev/null
check
[ "$(head -c 8 "$ART/timeline.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] ||
	fail "no PNG screenshot in $ART/timeline.png"

finish cli_browser
