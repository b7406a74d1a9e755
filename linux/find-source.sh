#!/bin/sh
# find-source.sh [VERSION]
#
# Prints the path of the Linux source tarball to build the guest from.
# Distributions install it under /usr/src:
#   Debian:  /usr/src/linux-source-6.12.tar.xz
#   Ubuntu:  /usr/src/linux-source-6.8.0/linux-source-6.8.0.tar.bz2
# With a VERSION (6.1, 6.12, ...) only that one will do. Without, 6.12 is
# preferred, since the chapters quote what it prints; otherwise the newest
# installed one from 6.1 on, with a note. If none is there, one line names
# the package that provides it on this system, and the exit status is 1.
set -u
wanted=${1:-}
preferred=6.12

# Installed tarballs as "VERSION PATH" lines, VERSION being X.Y.
installed() {
	for path in /usr/src/linux-source-*.tar.xz \
		/usr/src/linux-source-*/linux-source-*.tar.bz2; do
		[ -f "$path" ] || continue
		version=$(basename "$path" | sed -n 's/^linux-source-\([0-9]*\.[0-9]*\).*/\1/p')
		[ -n "$version" ] && echo "$version $path"
	done
}

# Is version $1 at least 6.1?
supported() {
	major=${1%%.*}
	minor=${1#*.}
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 1 ]; }
}

if [ -n "$wanted" ]; then
	found=$(installed | awk -v v="$wanted" '$1 == v { print $2; exit }')
else
	found=$(installed | awk -v v="$preferred" '$1 == v { print $2; exit }')
	if [ -z "$found" ]; then
		# The newest supported one: sort the X.Y versions numerically.
		best=$(installed | while read -r version path; do
			supported "$version" && echo "$version $path"
		done | sort -t. -k1,1n -k2,2n | tail -n 1)
		found=${best#* }
		[ -n "$found" ] && echo "note: using Linux ${best%% *}: linux-source-$preferred" \
			"is not installed (the chapters quote what $preferred prints)" >&2
	fi
fi

if [ -n "$found" ]; then
	echo "$found"
	exit 0
fi

# Nothing installed: name the package that would provide it.
package=linux-source-${wanted:-$preferred}
if command -v apt-cache >/dev/null 2>&1 && [ -z "$wanted" ] &&
	! apt-cache show --no-all-versions "$package" >/dev/null 2>&1; then
	newest=$(apt-cache pkgnames linux-source- 2>/dev/null |
		grep -E '^linux-source-[0-9]+\.[0-9]+$' | sed 's/^linux-source-//' |
		while read -r version; do supported "$version" && echo "$version"; done |
		sort -t. -k1,1n -k2,2n | tail -n 1)
	[ -n "$newest" ] && package=linux-source-$newest
fi
echo "error: no Linux source found in /usr/src: run 'sudo apt-get install $package'" \
	"(or give LINUX_TARBALL=path/to/linux.tar.xz)" >&2
exit 1
