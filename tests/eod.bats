#!/usr/bin/env bats
# The end-of-day pipeline (pipelines/eod.mk) on the bundled data, into a
# scratch directory: outputs, manifest digests, idempotence.  The whole
# pipeline runs once per file (setup_file); the other runs touch only the
# ingest steps, to keep this fast.

load helpers

eod_make() {
	make --no-print-directory -C "$QE_TOP" -f pipelines/eod.mk QE_BIN="$QE_BIN" "$@"
}

setup_file() {
	export EOD="$BATS_FILE_TMPDIR/eod"
	eod_make OUT="$EOD" > "$BATS_FILE_TMPDIR/first.log" 2>&1 || true
}

@test "eod: runs on the bundled data and says where the results are" {
	run cat "$BATS_FILE_TMPDIR/first.log"
	assert_output --partial "results in $EOD/"
	for f in trades curves fixings vols rates history counterparties limits meters weather markets; do
		assert_file_exists "$EOD/ingest/$f.csv"
	done
	assert_file_exists "$EOD/manifest.csv"
}

@test "eod: the manifest lists every input and output with its SHA-256 (checked with hashlib)" {
	run "$PYORACLE" - "$EOD/manifest.csv" "$QE_TOP" <<'EOF'
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
mine = {f"data/{k}.csv" for k in ("markets", "trades", "curves", "fixings", "vols", "rates", "history",
                                  "counterparties", "limits", "meters", "weather")}
assert mine <= set(ins), ins
print(len(rows))
EOF
	assert_success
	[ "$output" -ge 22 ]
}

@test "eod: a second run recomputes nothing" {
	run eod_make OUT="$EOD" -q "$EOD/manifest.csv"
	assert_success
	before=$(find "$EOD" -type f -printf '%p %T@\n' | sort)
	run eod_make OUT="$EOD"
	assert_success
	assert_output --partial "results in $EOD/"
	[ "$(find "$EOD" -type f -printf '%p %T@\n' | sort)" = "$before" ]
}

@test "eod: a changed input reruns only the steps that depend on it" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	out="$TMP/eod2"
	targets="$out/ingest/weather.csv $out/ingest/trades.csv"
	eod_make OUT="$out" DATA="$TMP/data" $targets > /dev/null 2>&1
	t_trades=$(stat -c %Y.%N "$out/ingest/trades.csv")
	t_weather=$(stat -c %Y "$out/ingest/weather.csv")
	sleep 1
	touch "$TMP/data/weather.csv"
	run eod_make OUT="$out" DATA="$TMP/data" $targets
	assert_success
	[ "$(stat -c %Y.%N "$out/ingest/trades.csv")" = "$t_trades" ]
	[ "$(stat -c %Y "$out/ingest/weather.csv")" != "$t_weather" ]
}

@test "eod: a failing step stops the pipeline, names itself and leaves no output" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	echo 'not,a,limits,file' > "$TMP/data/limits.csv"
	run eod_make OUT="$TMP/eod3" DATA="$TMP/data"
	assert_failure
	assert_output --partial "eod: ingest limits: exit 3"
	assert_file_not_exists "$TMP/eod3/ingest/limits.csv"
	assert_file_not_exists "$TMP/eod3/manifest.csv"
	# a rejected row beyond the expected ones fails the step too
	cp "$QE_TOP/data/limits.csv" "$TMP/data/limits.csv"
	sed -i '2s/,position,/,bogus,/' "$TMP/data/limits.csv"
	run eod_make OUT="$TMP/eod3" DATA="$TMP/data" "$TMP/eod3/ingest/limits.csv"
	assert_failure
	assert_output --partial "1 rejects"
	assert_file_not_exists "$TMP/eod3/ingest/limits.csv"
	# an unreadable as-of date is refused up front
	: > "$TMP/data/curves.csv"
	run eod_make OUT="$TMP/eod4" DATA="$TMP/data"
	assert_failure
	assert_output --partial "as-of"
}

@test "eod: unpriceable trades (qe-price exit 3) alert and the run goes on; real price failures stop it; errors.csv is never deleted" {
	mkdir "$TMP/data"
	cp -r "$QE_TOP"/data/*.csv "$QE_TOP/data/calendars" "$TMP/data/"
	# a trade beyond the forward curve: qe-price cannot price it (exit 3)
	L=$(sed -n 2p "$TMP/data/trades.csv")
	echo "${L/T00000001/T99999999}" | sed 's/,20[0-9][0-9]-[0-9][0-9]-01,20[0-9][0-9]-[0-9][0-9]-[0-9][0-9],/,2035-01-01,2035-01-31,/' >> "$TMP/data/trades.csv"
	out="$TMP/eod5"
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0
	assert_success
	assert_output --partial "eod: ALERT: price: 1 trade(s) could not be priced (see $out/price/errors.csv)"
	assert_output --partial "results in $out/"
	run cat "$out/price/errors.csv"
	assert_line --index 1 --partial "T99999999,no forward price"
	[ "$(grep -c . "$out/price/valuations.csv")" -gt 2000 ]
	assert_file_exists "$out/var/var.csv"
	grep -q "^output,$out/price/errors.csv," "$out/manifest.csv"
	# a limit on unpriced trades stops the run but keeps errors.csv
	touch "$out/ingest/trades.csv"
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0 PRICE_MAX_ERRORS=0
	assert_failure
	assert_output --partial "exceed PRICE_MAX_ERRORS=0"
	grep -q T99999999 "$out/price/errors.csv"
	# any other exit of qe-price stops make; errors.csv survives
	mkdir "$TMP/bin"
	for f in "$QE_BIN"/qe-*; do ln -s "$f" "$TMP/bin/"; done
	rm "$TMP/bin/qe-price"
	printf '#!/bin/sh\n"%s/qe-price" "$@"\nexit $FAKE_RC\n' "$QE_BIN" > "$TMP/bin/qe-price"
	chmod +x "$TMP/bin/qe-price"
	for rc in 2 4 5 70; do
		touch "$out/ingest/trades.csv"
		FAKE_RC=$rc run eod_make QE_BIN="$TMP/bin" OUT="$out" DATA="$TMP/data" HEDGE=0 "$out/price/valuations.csv"
		assert_failure
		assert_output --partial "eod: price: qe-price failed (exit $rc)"
		grep -q T99999999 "$out/price/errors.csv"
	done
	# exit 3 with nothing written (malformed market data) is a failure too
	touch "$out/ingest/trades.csv"
	echo 'NG_HH,2026-11-25,2027-01-01,2027-01-31,abc' >> "$out/ingest/curves.csv"
	run eod_make OUT="$out" DATA="$TMP/data" HEDGE=0
	assert_failure
	assert_output --partial "eod: price: qe-price failed (exit 3)"
	grep -q T99999999 "$out/price/errors.csv"
}
