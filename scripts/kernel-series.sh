#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The IOMMU series against Debian's Linux 6.12, built from its sources:
# drivers/iommu/edits/series names, per patch, its edit (commit message
# and hunks on existing kernel files) and the new kernel files it adds,
# which live in this repository at their kernel paths.
#
#   kernel-series.sh tree [--git-dir GITDIR] [--sparse] DIR
#       unpack linux-source into DIR, commit it as the base (tag
#       series-base) and commit each patch on top: its edit by git am, its
#       new files copied in and amended.  Dates and identity come from the
#       edit, so the commits are the same on every machine.  GITDIR puts
#       the repository outside DIR (a kernel tree that is the top of a git
#       repository gets a "+" appended to its release by setlocalversion).
#       --sparse unpacks only the files the edits change: enough to
#       generate the series, which depends on nothing else, in seconds.
#   kernel-series.sh format OUTDIR [TREE]
#       git format-patch the series of TREE (default: a fresh tree) into
#       OUTDIR.
#   kernel-series.sh check
#       regenerate the series into a temporary directory and diff it
#       against the committed drivers/iommu/patches/.
#   kernel-series.sh files
#       print the new kernel files of the series, one a line.
#   kernel-series.sh import TREE
#       write the sources back from a tree (or its GITDIR) whose commits
#       after series-base were edited, e.g. with git rebase -i: new files
#       to their repository paths, hunks on existing files and messages to
#       the edits, and a new series list.
#
# The generated patches carry full blob ids in their index lines.  Those
# of existing files depend on the linux-source version, as do the hunks'
# line numbers: a new linux-source package changes the generated series,
# and check fails until `make kernel-series` has regenerated it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc_tar=${KSRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
edits_dir=$top/drivers/iommu/edits
series=$edits_dir/series
patches_dir=$top/drivers/iommu/patches
base_tag='series-base'
# temporary directories, removed on exit
tmp=
tree_tmp=
trap 'rm -rf "$tmp" "$tree_tmp"' EXIT

die() {
	echo "kernel-series: $*" >&2
	exit 1
}

# Nothing from the user's or the system's git configuration may change
# what is generated; identity and dates are always given explicitly.
kgit() {
	GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git "$@"
}

# Header field $2 (From, Date) of the mail in file $1
mail_header() {
	sed -n "/^\$/q; s/^$2: //p" "$1" | head -n 1
}

# The series without comments and blank lines: "edit newfile..." per line
series_lines() {
	[ -f "$series" ] || die "$series: missing"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series"
}

# Set GIT_{AUTHOR,COMMITTER}_* for commits made on behalf of edit $1
identity_from() {
	local from date

	from=$(mail_header "$1" From)
	date=$(mail_header "$1" Date)
	if [ -z "$from" ] || [ -z "$date" ]; then
		die "$1: no From: or Date: header"
	fi
	export GIT_AUTHOR_NAME="${from% <*}" GIT_COMMITTER_NAME="${from% <*}"
	from=${from##*<}
	export GIT_AUTHOR_EMAIL="${from%>}" GIT_COMMITTER_EMAIL="${from%>}"
	export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"
}

# The existing kernel files the edits change, and the top Makefile
edited_files() {
	echo Makefile
	series_lines | while read -r edit _; do
		sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$edits_dir/$edit"
	done
}

# The repository of tree $1: $1/.git, or $1 itself if it is one (the
# --git-dir of tree).  Not a repository $1 merely lies inside.
tree_gitdir() {
	if [ -e "$1/.git" ]; then
		(cd "$1" && kgit rev-parse --absolute-git-dir)
	elif [ -f "$1/HEAD" ] && [ -d "$1/objects" ]; then
		(cd "$1" && pwd)
	else
		die "$1: not a tree made by kernel-series.sh tree, nor its --git-dir"
	fi
}

cmd_tree() {
	local gitdir="" sparse="" dir edit first version f top_dir
	local -a files

	while [ $# -gt 1 ]; do
		case $1 in
		--git-dir)
			gitdir=$2
			shift 2
			;;
		--sparse)
			sparse=y
			shift
			;;
		*) break ;;
		esac
	done
	[ $# -eq 1 ] || die "usage: kernel-series.sh tree [--git-dir GITDIR] [--sparse] DIR"
	dir=$1
	[ -n "$gitdir" ] || gitdir=$dir/.git
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
		die "tree: $dir is not empty"
	fi
	[ ! -e "$gitdir" ] || die "tree: $gitdir exists"
	[ -r "$ksrc_tar" ] || die "tree: $ksrc_tar: not readable"
	mkdir -p "$dir"
	if [ -n "$sparse" ]; then
		# Debian's tarball holds one directory named like the file
		top_dir=$(basename "$ksrc_tar" .tar.xz)
		edited_files | sort -u | sed "s|^|$top_dir/|" |
			tar xJf "$ksrc_tar" -C "$dir" --strip-components=1 \
				--no-wildcards -T -
	else
		tar xJf "$ksrc_tar" -C "$dir" --strip-components=1
	fi
	dir=$(cd "$dir" && pwd)
	mkdir -p "$(dirname "$gitdir")"
	gitdir=$(cd "$(dirname "$gitdir")" && pwd)/$(basename "$gitdir")
	export GIT_DIR=$gitdir GIT_WORK_TREE=$dir
	cd "$dir"

	kgit init -q
	# -f: Debian's top-level .gitignore ignores the whole tree
	kgit add -A -f
	first=$(series_lines | head -n 1 | cut -d ' ' -f 1)
	identity_from "$edits_dir/$first"
	version=$(kgit show :Makefile | sed -n \
		-e 's/^VERSION = //p' -e 's/^PATCHLEVEL = //p' \
		-e 's/^SUBLEVEL = //p' | paste -sd .)
	kgit commit -q -m "Linux $version from $(basename "$ksrc_tar")"
	kgit tag "$base_tag"

	while read -r edit files_line; do
		read -r -a files <<<"$files_line"
		identity_from "$edits_dir/$edit"
		kgit am -q --empty=keep --committer-date-is-author-date \
			"$edits_dir/$edit" || die "tree: $edit does not apply"
		for f in "${files[@]}"; do
			[ -f "$top/$f" ] || die "tree: $edit: $f missing"
			[ ! -e "$dir/$f" ] || die "tree: $edit: $f is not a new file"
			mkdir -p "$dir/$(dirname "$f")"
			cp "$top/$f" "$dir/$f"
			kgit add -f -- "$f"
		done
		if [ ${#files[@]} -gt 0 ]; then
			kgit commit -q --amend --no-edit --allow-empty
		fi
	done < <(series_lines)
}

cmd_format() {
	local out gitdir

	if [ $# -lt 1 ] || [ $# -gt 2 ]; then
		die "usage: kernel-series.sh format OUTDIR [TREE]"
	fi
	out=$1
	if [ $# -eq 2 ]; then
		gitdir=$(tree_gitdir "$2")
	else
		tree_tmp=$(mktemp -d)
		(cmd_tree --sparse "$tree_tmp/src")
		gitdir=$tree_tmp/src/.git
	fi
	mkdir -p "$out"
	# --zero-commit and no signature: nothing that depends on the git
	# version; --full-index: no abbreviation that depends on the repository
	kgit --git-dir="$gitdir" format-patch -q --numbered --zero-commit \
		--no-signature --full-index --no-renames -o "$out" \
		"$base_tag..HEAD"
}

cmd_check() {
	[ $# -eq 0 ] || die "usage: kernel-series.sh check"
	tmp=$(mktemp -d)
	cmd_format "$tmp/patches"
	if ! diff -ru "$patches_dir" "$tmp/patches"; then
		die "drivers/iommu/patches/ differs from what its sources generate; run make kernel-series"
	fi
	echo "kernel-series: drivers/iommu/patches/ matches its sources"
}

cmd_import() {
	local gitdir c n name f st
	local -a names added

	[ $# -eq 1 ] || die "usage: kernel-series.sh import TREE"
	gitdir=$(tree_gitdir "$1")
	export GIT_DIR=$gitdir
	kgit rev-parse -q --verify "$base_tag" >/dev/null ||
		die "import: $1 has no tag $base_tag"
	tmp=$(mktemp -d)
	# The edit names are the names format-patch gives the patches
	kgit format-patch -q --numbered --zero-commit --no-signature \
		-o "$tmp" "$base_tag..HEAD"
	mapfile -t names < <(cd "$tmp" && ls)
	[ ${#names[@]} -gt 0 ] || die "import: no commits after $base_tag"

	# A new file belongs to exactly one patch
	kgit log --reverse --no-renames --format= --name-status -r \
		"$base_tag..HEAD" >"$tmp/status"
	awk -F "\t" '$1 == "A" { if (seen[$2]++) bad = 1; added[$2] = 1 }
	     $1 != "A" && added[$2] { print "import: " $2 " is changed after the patch that adds it; split it or fold the change in" > "/dev/stderr"; bad = 1 }
	     END { exit bad }' "$tmp/status" || exit 1

	if [ -f "$series" ]; then
		while read -r name _; do
			rm -f "$edits_dir/$name"
		done < <(series_lines)
	fi
	mkdir -p "$edits_dir"
	{
		echo "# SPDX-License-Identifier: GPL-2.0-only"
		echo "# The IOMMU series, in order: per patch, its edit in this"
		echo "# directory and the new kernel files it adds (repository"
		echo "# paths, which are their kernel paths).  Written by"
		echo "# scripts/kernel-series.sh import; edit it by hand or import."
	} >"$tmp/series"
	n=0
	for c in $(kgit rev-list --reverse "$base_tag..HEAD"); do
		name=${names[$n]}
		n=$((n + 1))
		mapfile -t added < <(kgit diff-tree --no-commit-id --no-renames \
			--name-only --diff-filter=A -r "$c")
		for f in "${added[@]}"; do
			mkdir -p "$top/$(dirname "$f")"
			kgit show "$c:$f" >"$top/$f"
		done
		{
			kgit log -1 --format='From: %an <%ae>%nDate: %aD%nSubject: %s%n%n%b' "$c" |
				sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
			echo "---"
			echo
			mapfile -t st < <(kgit diff-tree --no-commit-id --no-renames \
				--name-only --diff-filter=a -r "$c")
			if [ ${#st[@]} -gt 0 ]; then
				kgit diff-tree -p --no-commit-id --no-renames \
					--full-index "$c" -- "${st[@]}"
			fi
		} >"$edits_dir/$name"
		echo "$name${added[*]:+ ${added[*]}}" >>"$tmp/series"
	done
	cp "$tmp/series" "$series"
	echo "kernel-series: imported $n patches; run make kernel-series check-series"
}

cmd_files() {
	[ $# -eq 0 ] || die "usage: kernel-series.sh files"
	series_lines | awk '{ for (i = 2; i <= NF; i++) print $i }'
}

[ $# -ge 1 ] || die "usage: kernel-series.sh tree|format|check|files|import ..."
cmd=$1
shift
case $cmd in
tree | format | check | files | import) "cmd_$cmd" "$@" ;;
*) die "unknown command $cmd" ;;
esac
