#!/bin/sh
# Runs the C unit tests, the bats behaviour tests and the man page lint,
# counts TAP results and ends with exactly one line "N passed, N failed".
# Environment: QE_BIN (tools), QE_UNIT_DIR (unit test binaries),
# QE_ONLY=unit|bats to run a subset, QE_BATS_FILTER (file glob).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 70
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export QE_BIN QE_TOP="$top" PATH="$QE_BIN:$PATH"
only=${QE_ONLY:-all}
crash=0

if [ "$only" != bats ]; then
	# QE_CHECK_JOBS at a time too, reported in name order
	udir=$(mktemp -d)
	for t in "$QE_UNIT_DIR"/test_*; do [ -x "$t" ] && echo "$t"; done > "$udir/list"
	xargs -P "${QE_CHECK_JOBS:-2}" -I{} sh -c '"$1" > "$2/$(basename "$1").out" 2>&1; echo $? > "$2/$(basename "$1").rc"' \
		_ {} "$udir" < "$udir/list"
	while read -r t; do
		one="$udir/$(basename "$t").out"
		echo "# unit: $(basename "$t")" | tee -a "$log"
		if [ "$(cat "$udir/$(basename "$t").rc")" != 0 ]; then
			grep -q '^not ok' "$one" || { echo "not ok - $(basename "$t") crashed"; crash=1; } >> "$one"
		fi
		cat "$one" >> "$log"
		grep '^not ok' "$one" || true
	done < "$udir/list"
	rm -rf "$udir"
fi

if [ "$only" != unit ]; then
	# The bats files run QE_CHECK_JOBS at a time (default 2, the cores of
	# the reference machine), the longest first; each file's TAP is kept
	# and reported in file order once all are done.  Every file works in
	# its own scratch directories, so they do not see each other.
	jobs=${QE_CHECK_JOBS:-2}
	taps=$(mktemp -d)
	# QE_BATS_SKIP: names of files not to run (make sanitize leaves out
	# the files that drive whole pipelines of the same binaries)
	files=$(for f in tests/${QE_BATS_FILTER:-*}.bats; do
		case " ${QE_BATS_SKIP:-} " in (*" $(basename "$f" .bats) "*) continue ;; esac
		[ -f "$f" ] && echo "$f"; done)
	for f in tests/eod.bats tests/ops.bats tests/docs.bats tests/mpi.bats tests/dates.bats tests/var.bats \
		tests/feed.bats tests/intraday.bats tests/store.bats tests/price.bats; do
		case " $(echo $files) " in *" $f "*) echo "$f" ;; esac
	done > "$taps/order"
	for f in $files; do grep -qx "$f" "$taps/order" || echo "$f"; done >> "$taps/order"
	# (each file's wall and CPU seconds, user + system of all its processes)
	xargs -P "$jobs" -I{} sh -c 'if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e %U %S" -o "$2/$(basename "$1").rus" bats --tap "$1" > "$2/$(basename "$1").tap" 2>&1
		else bats --tap "$1" > "$2/$(basename "$1").tap" 2>&1; fi
		set -- "$1" "$2" $(tail -n 1 "$2/$(basename "$1").rus" 2>/dev/null)
		echo "${3:-0} ${4:-0} ${5:-0} $1" > "$2/$(basename "$1").time"' _ {} "$taps" < "$taps/order"
	for f in $files; do
		one="$taps/$(basename "$f").tap"
		echo "# bats: $f" | tee -a "$log"
		cat "$one" >> "$log"
		grep -A8 '^not ok' "$one" || true
		grep -q '^\(not \)\?ok' "$one" || { echo "not ok - $f produced no results" | tee -a "$log"; }
	done
	# the costliest files: CPU seconds (user + system), then wall seconds
	# (which the other lanes share)
	echo "# costliest files (cpu s, wall s): $(awk '{ printf "%.0f %.0f %s\n", $2 + $3, $1, $4 }' "$taps"/*.time |
		sort -rn | head -n 10 | tr '\n' ' ')"
	rm -rf "$taps"
	echo "# man: mandoc -Tlint -Wwarning" | tee -a "$log"
	if lint=$(mandoc -Tlint -Wwarning man/*.[157] 2>&1) && [ -z "$lint" ]; then
		echo "ok - mandoc lint" >> "$log"
	else
		echo "not ok - mandoc lint" >> "$log"
		echo "$lint"
	fi
fi

passed=$(grep -c '^ok' "$log")
failed=$(grep -c '^not ok' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$crash" -eq 0 ]
