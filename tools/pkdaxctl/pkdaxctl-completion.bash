# SPDX-License-Identifier: GPL-2.0-only
# bash completion for pkdaxctl: commands, options, option values, and
# region and namespace names taken from 'pkdaxctl list' (of the --image
# file when one is on the command line).  Commands and options come from
# pkdaxctl itself (--list-cmds, --list-opts CMD), so they are declared
# only in its option tables.

_pkdaxctl_names()	# _pkdaxctl_names regions|namespaces IMAGE
{
	local what=$1 image=$2 args=()

	[ -n "$image" ] && args=(--image "$image")
	command -v jq >/dev/null 2>&1 || return
	if [ "$what" = regions ]; then
		pkdaxctl list -R "${args[@]}" 2>/dev/null | jq -r '.[].dev'
	else
		pkdaxctl list -N "${args[@]}" 2>/dev/null |
			jq -r '.[] | select(.name) | .name'
	fi
}

_pkdaxctl()
{
	local cur prev cmd image="" i line w opts="" value=""

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(pkdaxctl --list-cmds 2>/dev/null) --version --help" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}

	# one line per option, "-r --region=REGION": a value after '='
	while read -r line; do
		for w in $line; do
			opts+=" ${w%%=*}"
			if [ "$prev" = "${w%%=*}" ] && [[ $line == *=* ]]; then
				value=${line#*=}
			fi
		done
	done < <(pkdaxctl --list-opts "$cmd" 2>/dev/null)
	[ -n "$opts" ] || return

	for ((i = 2; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--image) image=${COMP_WORDS[i + 1]} ;;
		--image=*) image=${COMP_WORDS[i]#--image=} ;;
		esac
	done
	image=${image/#\~/$HOME}

	# the value's placeholder in the table says what it is
	case $value in
	"") ;;
	FILE)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return ;;
	REGION)
		COMPREPLY=($(compgen -W "$(_pkdaxctl_names regions "$image")" -- "$cur"))
		return ;;
	NAMESPACE)	# an existing one; a new NAME has nothing to offer
		COMPREPLY=($(compgen -W "$(_pkdaxctl_names namespaces "$image")" -- "$cur"))
		return ;;
	*\|*)		# the values themselves, e.g. guest|iommu
		COMPREPLY=($(compgen -W "${value//|/ }" -- "$cur"))
		return ;;
	*)
		return ;;
	esac

	if [ "$cmd" = destroy-namespace ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$(_pkdaxctl_names namespaces "$image")" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}

complete -F _pkdaxctl pkdaxctl
