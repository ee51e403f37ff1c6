# SPDX-License-Identifier: GPL-2.0-only
# bash completion for pkdaxctl: commands, options, option values, and
# region and namespace names (of the --image file when one is on the
# command line).  Commands, options and names all come from pkdaxctl
# itself (--list-cmds, --list-opts CMD, --list-names WHAT [FILE]), so
# options are declared only in its option tables and no JSON tool is
# needed.

_pkdaxctl_names()	# _pkdaxctl_names regions|namespaces IMAGE
{
	pkdaxctl --list-names "$1" ${2:+"$2"} 2>/dev/null
}

# COMPREPLY: compgen's lines, one word each (a file name may hold blanks)
_pkdaxctl_reply()
{
	mapfile -t COMPREPLY < <(compgen "$@")
}

_pkdaxctl()
{
	local cur prev cmd image="" i line w opts="" value="" prefix=""

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		_pkdaxctl_reply -W "$(pkdaxctl --list-cmds 2>/dev/null) version help -v --version --verbose --help" -- "$cur"
		return
	fi
	cmd=${COMP_WORDS[1]}

	# --opt=VALUE: bash splits it at '=' (COMP_WORDBREAKS) into "--opt",
	# "=", "VALUE"; without '=' there the word is "--opt=VALUE" whole
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 3 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		prefix=$prev=
		cur=${cur#*=}
	fi

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
		--image)
			if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
				image=${COMP_WORDS[i + 2]}
			else
				image=${COMP_WORDS[i + 1]}
			fi ;;
		--image=*) image=${COMP_WORDS[i]#--image=} ;;
		esac
	done
	image=${image/#\~/$HOME}

	# the value's placeholder in the table says what it is
	case $value in
	"") ;;
	FILE)
		_pkdaxctl_reply -f -- "$cur"
		compopt -o filenames 2>/dev/null ;;
	REGION)
		_pkdaxctl_reply -W "$(_pkdaxctl_names regions "$image")" -- "$cur" ;;
	NAMESPACE)	# an existing one; a new NAME has nothing to offer
		_pkdaxctl_reply -W "$(_pkdaxctl_names namespaces "$image")" -- "$cur" ;;
	*\|*)		# the values themselves, e.g. guest|iommu
		_pkdaxctl_reply -W "${value//|/ }" -- "$cur" ;;
	esac
	if [ -n "$value" ]; then
		[ -z "$prefix" ] || COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		return
	fi

	if [ "$cmd" = destroy-namespace ] && [[ $cur != -* ]]; then
		_pkdaxctl_reply -W "$(_pkdaxctl_names namespaces "$image")" -- "$cur"
		return
	fi
	_pkdaxctl_reply -W "$opts" -- "$cur"
}

complete -F _pkdaxctl pkdaxctl
