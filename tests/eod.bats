#!/usr/bin/env bats
# The end-of-day pipeline (pipelines/eod.mk) on the bundled data, into a
# scratch directory: outputs, manifest digests, idempotence.

load helpers

eod() {
	make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" OUT="$TMP/eod" "$@"
}

@test "eod: runs on the bundled data and says where the results are" {
	run eod
	assert_success
	assert_output --partial "results in $TMP/eod/"
	for f in trades curves fixings vols rates history counterparties limits meters weather markets; do
		assert_file_exists "$TMP/eod/ingest/$f.csv"
	done
	assert_file_exists "$TMP/eod/manifest.csv"
}

@test "eod: the manifest lists every input and output with its SHA-256 (checked with hashlib)" {
	eod > /dev/null 2>&1
	run "$PYORACLE" - "$TMP/eod/manifest.csv" "$QE_TOP" <<'EOF'
import csv, hashlib, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
os.chdir(sys.argv[2])
roles = {r["role"] for r in rows}
assert roles == {"input", "output"}, roles
for r in rows:
    data = open(r["path"], "rb").read()
    assert hashlib.sha256(data).hexdigest() == r["sha256"], r["path"]
    assert len(data) == int(r["bytes"]), r["path"]
ins = [r["path"] for r in rows if r["role"] == "input"]
# 11 data files, plus the hedge menu when the hedge step runs (qe-price built)
assert "data/trades.csv" in ins and "data/markets.csv" in ins and len(ins) in (11, 12), ins
print(len(rows))
EOF
	assert_success
	[ "$output" -ge 22 ]
}

@test "eod: a second run recomputes nothing; a changed input reruns only its steps" {
	eod > /dev/null 2>&1
	run eod -q "$TMP/eod/manifest.csv"
	assert_success
	before=$(stat -c %Y.%s "$TMP"/eod/ingest/*.csv "$TMP/eod/manifest.csv")
	sleep 1
	run eod
	assert_success
	[ "$(stat -c %Y.%s "$TMP"/eod/ingest/*.csv "$TMP/eod/manifest.csv")" = "$before" ]
	refute_output --partial "qe-ingest"
	# an edited input: only its ingest step and the manifest run again
	mkdir "$TMP/data"
	cp "$QE_TOP"/data/*.csv "$TMP/data/"
	make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" OUT="$TMP/eod2" DATA="$TMP/data" > /dev/null 2>&1
	sleep 1
	t_trades=$(stat -c %Y "$TMP/eod2/ingest/trades.csv")
	t_weather=$(stat -c %Y "$TMP/eod2/ingest/weather.csv")
	touch "$TMP/data/weather.csv"
	run make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" OUT="$TMP/eod2" DATA="$TMP/data"
	assert_success
	[ "$(stat -c %Y "$TMP/eod2/ingest/trades.csv")" = "$t_trades" ]
	[ "$(stat -c %Y "$TMP/eod2/ingest/weather.csv")" != "$t_weather" ]
	[ "$TMP/eod2/manifest.csv" -nt "$TMP/eod2/ingest/trades.csv" ]
}

@test "eod: a failing step stops the pipeline, names itself and leaves no output" {
	mkdir "$TMP/data"
	cp "$QE_TOP"/data/*.csv "$TMP/data/"
	echo 'not,a,limits,file' > "$TMP/data/limits.csv"
	if [ -x "$QE_BIN/qe-ingest" ]; then
		run make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" OUT="$TMP/eod3" DATA="$TMP/data"
		assert_failure
		assert_output --partial "limits"
		assert_file_not_exists "$TMP/eod3/ingest/limits.csv"
		assert_file_not_exists "$TMP/eod3/manifest.csv"
	fi
	# an unreadable as-of date is refused up front
	: > "$TMP/data/curves.csv"
	run make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" OUT="$TMP/eod4" DATA="$TMP/data"
	assert_failure
	assert_output --partial "as-of"
}
