#!/usr/bin/env bats
# --log-json (cmd/cli.c): every line a tool writes on stderr is one JSON
# object with time, tool, level, message, file and line; the plain lines
# are unchanged without it.

load helpers

# check_json TOOL LEVEL [FILE LINE]: every line of stderr.txt is a JSON
# object with the fields; the first one of level LEVEL names FILE and LINE
# (null when not given).
check_json() {
	"$PYORACLE" - "$@" <<'PY'
import datetime, json, sys
tool, level = sys.argv[1], sys.argv[2]
want_file = sys.argv[3] if len(sys.argv) > 3 else None
want_line = int(sys.argv[4]) if len(sys.argv) > 4 else None
lines = open("stderr.txt", encoding="utf-8").read().splitlines()
assert lines, "nothing on stderr"
recs = [json.loads(l) for l in lines]
for r in recs:
    assert {"time", "tool", "level", "message", "file", "line"} <= r.keys(), r
    assert r["tool"] == tool, r
    assert r["level"] in ("error", "warning", "info"), r
    assert isinstance(r["message"], str) and r["message"], r
    assert r["file"] is None or isinstance(r["file"], str), r
    assert r["line"] is None or (isinstance(r["line"], int) and r["line"] > 0), r
    t = datetime.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs((datetime.datetime.utcnow() - t).total_seconds()) < 600, r
first = next(r for r in recs if r["level"] == level)
assert first["file"] == want_file, (first, want_file)
assert first["line"] == want_line, (first, want_line)
print(len(recs))
PY
}

# json_case STATUS FILE LINE TOOL ARGS...: the run exits STATUS, its stdout
# is empty and its stderr (in stderr.txt) passes check_json with the first
# error at FILE:LINE
json_case() {
	local want=$1 file=$2 line=$3
	shift 3
	run --separate-stderr "$@"
	[ "$status" -eq "$want" ] || fail "$*: exit $status, want $want: $stderr"
	printf '%s\n' "$stderr" > stderr.txt
	run check_json "$1" error "$file" "$line"
	[ "$status" -eq 0 ] || fail "$*: $output"
}

@test "log-json: a usage error of every tool is one JSON line with the hint" {
	for cmd in "qe-ingest trades" "qe-price" "qe-var hs" "qe-optimize qubo" "qe-forecast garch" \
		"qe-screen check" "qe-settle flows" "qe-synth" "qe-report position" "qe-store load" "qe-feed" "qe"; do
		run --separate-stderr $cmd --log-json --no-such-option
		[ "$status" -eq 2 ] || fail "$cmd: exit $status"
		[ -z "$output" ] || fail "$cmd: stdout '$output'"
		printf '%s\n' "$stderr" > stderr.txt
		run check_json "${cmd%% *}" error
		[ "$status" -eq 0 ] || fail "$cmd: $output"
		grep -q '"hint":"Try ' stderr.txt || fail "$cmd: no hint: $(cat stderr.txt)"
		[ "$(wc -l < stderr.txt)" -eq 1 ] || fail "$cmd: $(cat stderr.txt)"
	done
}

@test "log-json: bad data names the file, line and column; errors and the summary are separate records" {
	printf 'date,var,pnl\n2026-01-01,abc,1\n' > s.csv
	json_case 3 s.csv 2 qe-var backtest --log-json s.csv
	grep -q '"column":2' stderr.txt
	grep -q "\"message\":\"column 'var': not a number 'abc'\"" stderr.txt
	printf 'book,curve,month,delta,unit\nA,TTF,2026-13,1,MWh\n' > l.csv
	json_case 3 l.csv 2 qe-report position --log-json --ladder l.csv --markets "$DATA/markets.csv"
	printf 'date,value\n2026-01-01,x\n' > g.csv
	json_case 3 g.csv 2 qe-forecast garch --log-json g.csv
	# qe-ingest: a reject per bad row (error) and the counts (info); a
	# quote, a backslash and a tab in a value stay valid JSON
	head -3 "$DATA/counterparties.csv" > cp.csv
	printf 'CPX,"Bad \\ "" \t name",NOT-A-LEI\n' >> cp.csv
	run --separate-stderr qe-ingest counterparties cp.csv --log-json -o out.csv --rejects rej.csv
	[ "$status" -eq 3 ]
	printf '%s\n' "$stderr" > stderr.txt
	run check_json qe-ingest error "$TMP/cp.csv" 4
	[ "$status" -eq 0 ] || run check_json qe-ingest error cp.csv 4
	assert_success
	grep -q '"level":"info"' stderr.txt
	# the same run without the option: plain lines, "qe-ingest: " first
	run --separate-stderr qe-ingest counterparties cp.csv -o out.csv --rejects rej.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == qe-ingest:\ * ]]
	! grep -q '^{' <<< "$stderr"
}

@test "log-json: QE_LOG_JSON=1 asks for the same, the run id is recorded, and qe passes it on" {
	printf 'date,var,pnl\n2026-01-01,abc,1\n' > s.csv
	QE_LOG_JSON=1 QE_RUN_ID=eod-2026-11-25 json_case 3 s.csv 2 qe-var backtest s.csv
	grep -q '"run_id":"eod-2026-11-25"' stderr.txt
	# qe runs qe-var, which writes the records
	run --separate-stderr qe var backtest --log-json s.csv
	[ "$status" -eq 3 ]
	printf '%s\n' "$stderr" > stderr.txt
	run check_json qe-var error s.csv 2
	assert_success
	# after "--" the option is an operand, left to the tool
	run --separate-stderr qe-var backtest -- --log-json
	[ "$status" -ne 0 ]
	[[ "$stderr" == qe-var:\ * ]]
	# --help and --version are untouched
	run qe-var backtest --log-json --help
	assert_success
	assert_output --partial "usage: qe-var backtest"
}
