#!/usr/bin/env bash
# The man pages: cohsim(1) is made from the parser's own tables, so every
# option the parser accepts (tools/cohsim/options.c) and every command
# (tools/cohsim/main.c) is documented, and nothing else; cohsim-litmus(5)
# comes from docs/litmus.md. Both render without a groff warning.
#   usage: bash cli_man.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
MAN=$(dirname "$BIN")/man
. "$(dirname "$0")/lib.sh"

"$BIN" help --man >"$TMP/cohsim.1"
check
cmp -s "$TMP/cohsim.1" "$MAN/cohsim.1" || fail "the built cohsim.1 is not \`cohsim help --man\`"
# the options the parser accepts, from its table
sed -n 's/^ *{"\([a-z0-9-]*\)", OPT_[A-Z0-9_]*,.*/\1/p' "$SRC/tools/cohsim/options.c" | sort >"$TMP/parser"
check
[ "$(wc -l <"$TMP/parser")" -ge 20 ] || fail "cannot read the option table ($(wc -l <"$TMP/parser") options)"
sed -n 's/^\.BI \\-\\-\([a-z0-9\\-]*\).*/\1/p' "$TMP/cohsim.1" | sed 's/\\-/-/g' | sort >"$TMP/documented"
check
diff "$TMP/parser" "$TMP/documented" >/dev/null ||
	fail "options of the parser and of cohsim(1) differ: $(diff "$TMP/parser" "$TMP/documented" | tr '\n' ' ')"
# and the parser really accepts each one somewhere (a command that lists it)
while read -r opt; do
	check
	awk '/^\.SH OPTIONS/,/^\.SH EXIT/' "$TMP/cohsim.1" | grep -A3 "^\.BI \\\\-\\\\-$(echo "$opt" | sed 's/-/\\\\-/g')" |
		grep -q "^Accepted by: \\\\fB" || fail "cohsim(1) names no command for --$opt"
done <"$TMP/parser"
# every command of the table, in COMMANDS
sed -n '/^static const struct command commands/,/^};/s/^    {"\([a-z ]*\)",.*/\1/p' \
	"$SRC/tools/cohsim/main.c" | sort -u >"$TMP/commands"
check
[ "$(wc -l <"$TMP/commands")" -ge 10 ] || fail "cannot read the command table ($(wc -l <"$TMP/commands"))"
while read -r c; do
	check
	grep -q "^\.B cohsim $(echo "$c" | sed 's/-/\\\\-/g')" "$TMP/cohsim.1" || fail "command '$c' is not in COMMANDS"
done <"$TMP/commands"
for page in "$MAN/cohsim.1" "$MAN/cohsim-litmus.5"; do
	check
	[ -s "$page" ] || { fail "no $page"; continue; }
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	check
	[ -z "$warn" ] || fail "$page: groff warns: $warn"
done
for s in NAME DESCRIPTION GRAMMAR ERRORS OUTPUT; do
	check
	grep -q "^\.SH $s" "$MAN/cohsim-litmus.5" || fail "cohsim-litmus(5) has no $s section"
done
check
grep -q 'mem\\-size BYTES' "$MAN/cohsim-litmus.5" || fail "cohsim-litmus(5) lacks the directives"

finish cli_man
