#!/bin/sh
# Every C file is formatted by the checked-in .clang-format (clang-format 14,
# Debian 12). Fix with: clang-format -i FILE.
srcdir=${top_srcdir:-$(dirname "$0")/..}
cd "$srcdir" || exit 1
command -v clang-format >/dev/null 2>&1 || {
	echo "format: clang-format is not installed (scripts/install-deps)" >&2
	exit 1
}
files=$(find modem rules db gateway tests -name '*.[ch]' | sort)
out=$(clang-format --dry-run $files 2>&1 | grep 'warning:' | sed 's/:[0-9]*:[0-9]*: warning.*//' | sort -u)
if [ -n "$out" ]; then
	echo "format: these files differ from clang-format's output:"
	echo "$out"
	exit 1
fi
echo "format: ok ($(echo "$files" | wc -l) files)"
