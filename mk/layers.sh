#!/bin/sh
# Checks the layer order of lib/ (lib/LAYERS): every #include "dir/x.h"
# in lib/<folder>/ names a folder at or below its own, and every quoted
# include in lib/ names a folder (no bare "x.h" reaching into another
# layer); cmd/ may also include the headers of its subcommand folders
# (cmd/var/var.h).  Prints one line per violation, file:line: message,
# and exits 1 if there is any.  Usage: mk/layers.sh [TOP]
set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"
cmdsubs=$(find cmd -mindepth 1 -maxdepth 1 -type d -printf '%f ' 2>/dev/null || true)
awk -v cmdsubs="$cmdsubs" '
BEGIN { ncs = split(cmdsubs, cs, " "); for (i = 1; i <= ncs; i++) cmdsub[cs[i]] = 1 }
FNR == 1 { nfile++ }
nfile == 1 {            # lib/LAYERS
	if ($0 ~ /^[ \t]*(#|$)/) next
	rank[$1] = ++n
	next
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
	split(FILENAME, p, "/")
	if (p[1] == "lib") {
		dir = p[2]
		if (!(dir in rank)) {
			if (!(dir in unlisted))
				printf "%s: folder lib/%s is not listed in lib/LAYERS\n", FILENAME, dir
			unlisted[dir] = bad = 1
			next
		}
		own = rank[dir]
	} else {
		dir = p[1]; own = n + 1
	}
	if (inc !~ /\//) {
		# a header beside the file in cmd/ or tests/ is local to it
		if (p[1] == "lib") {
			printf "%s:%d: include \"%s\" does not name its folder\n", FILENAME, FNR, inc; bad = 1
		}
		next
	}
	split(inc, q, "/")
	# cmd/ may include the headers of its own subcommand folders (cmd/var/)
	if (p[1] == "cmd" && (q[1] in cmdsub)) next
	if (!(q[1] in rank)) {
		printf "%s:%d: include \"%s\" names no folder of lib/LAYERS\n", FILENAME, FNR, inc; bad = 1; next
	}
	if (rank[q[1]] > own) {
		printf "%s:%d: include \"%s\" reaches up from %s to %s\n", FILENAME, FNR, inc, dir, q[1]; bad = 1
	}
	if (rank[q[1]] != own) uses[dir SUBSEP q[1]] = FILENAME ":" FNR
}
END {
	for (k in uses) {
		split(k, d, SUBSEP)
		if ((d[2] SUBSEP d[1]) in uses && d[1] < d[2]) {
			printf "%s: folders %s and %s include each other (also %s)\n", uses[k], d[1], d[2], uses[d[2] SUBSEP d[1]]; bad = 1
		}
	}
	exit bad
}' lib/LAYERS $(find lib cmd -name '*.[ch]' | sort)
