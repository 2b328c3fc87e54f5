#!/usr/bin/env bash
# Bash completion (tools/completion/cohsim.bash): subcommands, each
# subcommand's options, scenario names, arch names and fix switches, all
# taken from the binary itself.
#   usage: bash cli_completion.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
fails=0
checks=0
# shellcheck source=/dev/null
source "$SRC/tools/completion/cohsim.bash"
# expect "WANTED WORDS" WORD...: completing the last WORD offers exactly WANTED
expect() {
	local want=$1
	shift
	COMP_WORDS=("$BIN" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_cohsim
	checks=$((checks + 1))
	if [ "${COMPREPLY[*]}" != "$want" ]; then
		echo "FAIL: completing '$*' gives '${COMPREPLY[*]}', want '$want'" >&2
		fails=$((fails + 1))
	fi
}
expect "arch demo dm fsx help list litmus merge new replay run trace version --help --version" ""
expect "replay run" r
expect "kmap-high-get kmap-lock-irq" run km
expect "dm-io-vmap" replay dm-i
expect "--arch" run kmap-high-get --ar
expect "xscale x86" run kmap-high-get --arch x
expect "kmap-high-get=on kmap-high-get=off" run kmap-high-get --fix kmap-high
expect "dm-io-vmap-flush=on dm-io-vmap-flush=off" run dm-io-vmap --fix dm-io-vmap-f
expect "pct" litmus f.litmus --strategy p
expect "--junit --tap --load --help" demo --
expect "--keep-going" litmus x.litmus --keep
expect "list" arch l
expect "merge" help me
expect "--disk" dm x.dm --dis
expect "0..3 0.." run kmap-high-get --preemptions 0.
expect "-1" litmus x.litmus --preemptions -
expect "--journal" fsx --jour
expect "--ops" fsx --op
echo "cli_completion: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
