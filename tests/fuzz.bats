#!/usr/bin/env bats
# Fuzzing regressions: every input the fuzzers of `make fuzz` found a bug
# with (tests/data/fuzz/<target>/) is replayed through the same harness
# (fuzz/<target>.c) built by `make` with the tree's compiler - and by
# `make sanitize` under ASan/UBSan - so a fixed bug stays fixed without
# AFL++.  The harness aborts on a crash or on a broken promise (one-line
# errors of a documented class, line numbers that go forward, ...).

load helpers

FUZZ_BIN=$(cd "${QE_UNIT_DIR:-$QE_TOP/build/tests}/../fuzz" 2>/dev/null && pwd)

targets() {
	sed -n 's/^FUZZ_TARGETS ?= //p' "$QE_TOP/mk/fuzz.mk"
}

@test "fuzz: every target has a harness, a seed corpus, and replays its seeds cleanly" {
	[ -n "$FUZZ_BIN" ] || fail "no harness directory beside ${QE_UNIT_DIR:-build/tests}"
	n=0
	for t in $(targets); do
		[ -f "$QE_TOP/fuzz/$t.c" ] || fail "fuzz/$t.c missing"
		[ -x "$FUZZ_BIN/fuzz_$t" ] || fail "harness fuzz_$t not built"
		seeds=("$QE_TOP"/fuzz/corpus/"$t"/*)
		[ -f "${seeds[0]}" ] || fail "no seeds in fuzz/corpus/$t"
		run "$FUZZ_BIN/fuzz_$t" "${seeds[@]}"
		assert_success
		[ "$(grep -c '^ok ' <<<"$output")" -eq "${#seeds[@]}" ] || fail "$t: $output"
		n=$((n + 1))
	done
	[ "$n" -ge 9 ]
}

@test "fuzz: every regression input replays through its harness without a crash" {
	n=0
	for d in "$QE_TOP"/tests/data/fuzz/*/; do
		t=$(basename "$d")
		[ -x "$FUZZ_BIN/fuzz_$t" ] || fail "tests/data/fuzz/$t: no harness fuzz_$t"
		for f in "$d"*; do
			run "$FUZZ_BIN/fuzz_$t" "$f"
			[ "$status" -eq 0 ] || fail "$t/$(basename "$f"): status $status: $output"
			n=$((n + 1))
		done
	done
	[ "$n" -gt 0 ]
}

@test "fuzz: a harness names each file it replays and fails on one it cannot read" {
	run "$FUZZ_BIN/fuzz_csvio" /nonexistent
	assert_failure 2
	run "$FUZZ_BIN/fuzz_tz" "$QE_TOP/fuzz/corpus/tz/Europe_Berlin"
	assert_success
	assert_output "ok $QE_TOP/fuzz/corpus/tz/Europe_Berlin"
}

@test "fuzz: a value with a line break is quoted on one diagnostic line" {
	printf 'type,forward,strike,vol,rate,expiry\nput,"1\n9",19,0.28,0.10,0.75\n' > ml.csv
	run_split qe-price formula black76 ml.csv
	assert_failure 3
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "want 2 lines: $stderr"
	[[ "${stderr_lines[0]}" == *"ml.csv:2:2: column 'forward': not a number '1\\x0a9'" ]] || fail "$stderr"
}
@test "fuzz: a bare CR is data in both CSV readers, not a record end (qe-formats(5))" {
	# csvio (qe-price formula) sees one record whose field 'forward'
	# holds the CR, as csvscan (qe-ingest) does; it used to end the
	# record there
	printf 'type,forward,strike,vol,rate,expiry\nput,19\r19,19,0.28,0.10,0.75\n' > cr.csv
	run_split qe-price formula black76 cr.csv
	assert_failure 3
	[[ "$stderr" == *"cr.csv:2:2: column 'forward': not a number '19"* ]] || fail "$stderr"
	run "$FUZZ_BIN/fuzz_csvio" "$QE_TOP/tests/data/fuzz/csvio/bare_cr_is_data.csv"
	assert_success
}
