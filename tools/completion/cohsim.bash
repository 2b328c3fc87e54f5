# bash completion for cohsim: subcommands, options per subcommand (from
# `cohsim help COMMAND`), scenario names and fix switches (from `cohsim
# list`), arch names (from `cohsim arch list`), strategies and variants.
# Installed as share/bash-completion/completions/cohsim.

_cohsim_words() {
	# _cohsim_words KIND: the words cohsim itself lists for KIND
	local bin=${COMP_WORDS[0]}
	case $1 in
	commands) "$bin" help 2>/dev/null | sed -n 's/^  cohsim \([a-z]*\).*/\1/p' | sort -u ;;
	scenarios) "$bin" list 2>/dev/null | grep -E '^[a-z0-9]' | cut -d' ' -f1 ;;
	archs) "$bin" arch list 2>/dev/null | tail -n +2 | cut -d' ' -f1 ;;
	fixes) "$bin" list 2>/dev/null | sed -n 's/^    \([a-z0-9-]*\) .*/\1/p' | sort -u ;;
	options) "$bin" help "$2" 2>/dev/null | sed -n 's/^  \(--[a-z-]*\).*/\1/p' ;;
	esac
}

_cohsim() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_cohsim_words commands) --help --version" -- "$cur"))
		return
	fi
	local cmd=${COMP_WORDS[1]}
	[ "$cmd" = arch ] && cmd="arch list"
	case $prev in
	--arch) COMPREPLY=($(compgen -W "$(_cohsim_words archs)" -- "$cur")); return ;;
	--strategy) COMPREPLY=($(compgen -W "random pct dfs" -- "$cur")); return ;;
	--variant) COMPREPLY=($(compgen -W "buggy fixed" -- "$cur")); return ;;
	--fix)
		local f
		COMPREPLY=($(for f in $(_cohsim_words fixes); do echo "$f=on $f=off"; done))
		COMPREPLY=($(compgen -W "${COMPREPLY[*]}" -- "$cur"))
		return ;;
	--report | --trace | --junit | --disk)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--preemptions) COMPREPLY=($(compgen -W "-1 0 1 2 3 0..3 0.." -- "$cur")); return ;;
	--seed | --budget | --time | --depth | --jobs | --shard | --schedule | --ops | --tasks | --files)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cohsim_words options "$cmd") --help" -- "$cur"))
		return
	fi
	case $cmd in
	run | replay) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$(_cohsim_words scenarios)" -- "$cur")) ;;
	"arch list") [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W list -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "$(_cohsim_words commands)" -- "$cur")) ;;
	litmus | merge | dm) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _cohsim cohsim
