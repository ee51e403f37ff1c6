# SPDX-License-Identifier: GPL-2.0-only
# bash completion for pkdaxctl: commands, options, option values, and
# region and namespace names taken from 'pkdaxctl list' (of the --image
# file when one is on the command line).

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
	local cur prev cmd image="" i opts=""
	local cmds="list create-namespace destroy-namespace init-labels check inspect"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds --version --help" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	for ((i = 2; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--image) image=${COMP_WORDS[i + 1]} ;;
		--image=*) image=${COMP_WORDS[i]#--image=} ;;
		esac
	done
	image=${image/#\~/$HOME}

	case $prev in
	--image)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return ;;
	-r|--region)
		COMPREPLY=($(compgen -W "$(_pkdaxctl_names regions "$image")" -- "$cur"))
		return ;;
	-n|--namespace|--name)
		# list filters by an existing name; create needs a new one
		[ "$cmd" = list ] &&
			COMPREPLY=($(compgen -W "$(_pkdaxctl_names namespaces "$image")" -- "$cur"))
		return ;;
	-t|--type)
		COMPREPLY=($(compgen -W "guest iommu" -- "$cur"))
		return ;;
	-a|--align)
		COMPREPLY=($(compgen -W "4K 2M 1G" -- "$cur"))
		return ;;
	-s|--size|-u|--uuid|--offset|--slots|--slot)
		[ "$cmd" = list ] || [ "$cmd" = inspect ] || return ;;
	esac

	case $cmd in
	list)
		opts="-R --regions -N --namespaces -D --devices -u --human -r --region -n --namespace --image --help" ;;
	create-namespace)
		opts="-r --region -n --name -s --size -t --type -a --align -u --uuid --offset --image --help" ;;
	destroy-namespace)
		opts="-r --region --image --slot --help" ;;
	init-labels)
		opts="-r --region -f --force -u --uuid --slots -s --size --image --help" ;;
	check)
		opts="-r --region -j --json --image --help" ;;
	inspect)
		opts="-r --region -u --human --image --help" ;;
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
