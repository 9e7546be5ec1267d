# Shared bats setup: tools from $QE_BIN (set by make check), a scratch
# directory per test, the bats-support/assert/file helper libraries, and
# the QuantLib/numpy oracle interpreter.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

QE_TOP=${QE_TOP:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
QE_BIN=${QE_BIN:-$QE_TOP/bin}
PATH="$QE_BIN:$PATH"
export PATH QE_TOP QE_BIN
# Oracles (QuantLib, numpy, scipy, h5py, pandas) import only under Debian's python.
PYORACLE=/usr/bin/python3
DATA="$QE_TOP/data"

setup() {
	TMP="$BATS_TEST_TMPDIR"
	cd "$TMP" || return 1
}

bats_require_minimum_version 1.5.0

# run_split CMD...: like bats' run, but keeps stdout and stderr apart
# ($output = stdout, $stderr = stderr).
run_split() {
	run --separate-stderr "$@"
}

# start_interruptible CMD...: runs CMD in the background with SIGINT at its
# default action (a non-interactive shell starts background jobs with
# SIGINT ignored); its pid is in $bg_pid.
start_interruptible() {
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' -- "$@" &
	bg_pid=$!
}

# temps_in DIR: the temporary output files (NAME.tmp.XXXXXX) in DIR.
temps_in() {
	ls -A "$1" | grep '\.tmp\.' || true
}

# wait_temps DIR N: waits (up to 60 s) until DIR holds N temporary files.
wait_temps() {
	local i
	for i in $(seq 600); do
		[ "$(temps_in "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "no $2 temporary files in $1: $(ls -A "$1")"
}

# on_tty 'COMMAND LINE': runs it under script(1), on a pseudo-terminal
# (stdin, stdout and stderr), like bats' run: what the terminal showed is
# in $output, with carriage returns kept.
on_tty() {
	run script -qec "$1" /dev/null
}

# progress_shown: $output holds a redrawn progress line (percent, ETA)
progress_shown() {
	[[ "$output" == *$'\r'*"%"*"ETA"* ]]
}

# long_lines GOOD NAME: from the CSV file GOOD (header, then records)
# writes NAME.bad.csv, whose first record is preceded by its field 1 made
# malformed and 1 MB long ('x"ppp...,' then the record: a reader that lost
# track at its 64 KiB read chunk parsed the tail as a record), and
# NAME.long.csv, whose first record's first field is 1 MB of well-formed
# text (longer than the 64 KiB field limit).  Both keep every other record.
long_lines() {
	"$PYORACLE" - "$1" "$2" <<'PY'
import sys
src, name = sys.argv[1], sys.argv[2]
lines = open(src, newline='').read().split('\n')
hdr, first, rest = lines[0], lines[1], lines[2:]
pad = 'p' * (1 << 20)
tail = first.split(',', 1)[1] if ',' in first else ''
with open(name + '.bad.csv', 'w', newline='') as f:
    f.write('\n'.join([hdr, 'x"' + pad + ',' + first] + lines[1:]))
with open(name + '.long.csv', 'w', newline='') as f:
    f.write('\n'.join([hdr, 'L' * (1 << 20) + (',' + tail if ',' in first else '')] + rest))
PY
}

# one_diagnostic FILE LINE:COL TEXT: stderr ($stderr) has exactly one
# diagnostic naming FILE, at LINE:COL, holding TEXT, and no line longer
# than 1000 bytes (a 1 MB value is never echoed whole).
one_diagnostic() {
	local n
	n=$(printf '%s\n' "$stderr" | grep -c -- "$1:[0-9]") || true
	[ "$n" -eq 1 ] || fail "want one diagnostic for $1, got $n: ${stderr:0:2000}"
	[[ "$stderr" == *"$1:$2: "*"$3"* ]] || fail "want '$1:$2: ... $3' in: ${stderr:0:2000}"
	printf '%s\n' "$stderr" | awk 'length > 1000 { bad = 1 } END { exit bad }' ||
		fail "a diagnostic line longer than 1000 bytes"
}
