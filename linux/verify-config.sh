#!/bin/sh
# verify-config.sh CONFIG FRAGMENT...
#
# Checks that every option requested by the fragments really ended up in the
# final kernel .config.  Kconfig does not complain when it drops an option
# whose dependencies are not met (it just leaves it out), so without this
# check a typo or a missing dependency in guest.config goes unnoticed until
# the guest fails to boot.
#
# Fragment lines understood:  CONFIG_FOO=value   and   # CONFIG_FOO is not set
# ("=n" and "is not set" both mean: must not be y or m in the result).
# An option that older kernels do not have follows a comment line that
# says "(newer kernels only)": when a kernel leaves it out, it is skipped.

if [ $# -lt 2 ]; then
	echo "usage: $0 CONFIG FRAGMENT..." >&2
	exit 2
fi

config=$1
shift
bad=0

for fragment in "$@"; do
	newer_only=0
	while IFS= read -r line; do
		previous_newer_only=$newer_only
		newer_only=0
		case $line in
		*"(newer kernels only)"*)
			newer_only=1
			continue
			;;
		CONFIG_*=*)
			option=${line%%=*}
			want=${line#*=}
			;;
		"# CONFIG_"*" is not set")
			option=${line#\# }
			option=${option%% *}
			want=n
			;;
		*)
			continue
			;;
		esac
		got=$(sed -n "s/^$option=//p" "$config" | tail -n 1)
		[ -n "$got" ] || got=n
		if [ "$got" = n ] && [ $previous_newer_only = 1 ] &&
		   ! grep -q "^# $option is not set" "$config"; then
			echo "[linux] config check: $option is not in this kernel (newer kernels only)"
			continue
		fi
		if [ "$got" != "$want" ]; then
			echo "error: $option: $fragment asks for '$want'," \
				"but the final .config has '$got'" >&2
			echo "       (a dependency is probably missing, or the" \
				"option does not exist in this kernel)" >&2
			bad=1
		fi
	done <"$fragment"
done

if [ $bad -ne 0 ]; then
	echo "error: kernel configuration does not match the fragment(s): $*" >&2
	exit 1
fi
echo "[linux] config check: all options of $* are set as requested"
