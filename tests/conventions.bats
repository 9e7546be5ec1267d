#!/usr/bin/env bats
# Rules every qe-* tool keeps (STYLE.md "Conventions every tool keeps").

load helpers

tools() {
	for t in "$QE_BIN"/qe "$QE_BIN"/qe-*; do
		[ -x "$t" ] && basename "$t"
	done
}

@test "every tool: --help prints usage on stdout and exits 0" {
	for t in $(tools); do
		run_split "$t" --help
		[ "$status" -eq 0 ] || fail "$t --help exited $status"
		[ -n "$output" ] || fail "$t --help printed nothing on stdout"
		[ -z "$stderr" ] || fail "$t --help wrote to stderr: $stderr"
	done
}

@test "every tool: --version prints name and version on stdout and exits 0" {
	for t in $(tools); do
		run_split "$t" --version
		[ "$status" -eq 0 ] || fail "$t --version exited $status"
		[[ "$output" == "$t (QuantaEnergi) "* ]] || fail "$t --version: '$output'"
	done
}

@test "every tool: -V is --version" {
	for t in $(tools); do
		run_split "$t" -V
		[ "$status" -eq 0 ] || fail "$t -V exited $status"
		[[ "$output" == "$t (QuantaEnergi) "* ]] || fail "$t -V: '$output'"
	done
}

@test "every tool: an unknown option is a usage error (exit 2) with a message" {
	for t in $(tools); do
		run_split "$t" --no-such-option-xyz
		[ "$status" -eq 2 ] || fail "$t: exit $status, want 2"
		[[ "$stderr" == *"$t"* ]] || fail "$t: message does not name the tool: $stderr"
	done
}

@test "every tool: --help to /dev/full fails with exit 4 and a message" {
	for t in $(tools); do
		run_split "$t" --help
		run bash -c "'$t' --help > /dev/full"
		[ "$status" -eq 4 ] || fail "$t --help > /dev/full: exit $status, want 4"
		[[ "$output" == *"write error"* ]] || fail "$t: no write error message: $output"
	done
}

@test "every tool has a man page that mandoc accepts" {
	for t in $(tools); do
		[ -f "$QE_TOP/man/$t.1" ] || fail "no man/$t.1"
		run mandoc -Tlint -Wwarning "$QE_TOP/man/$t.1"
		[ -z "$output" ] || fail "$output"
	done
}

@test "qe front command runs tools and lists them" {
	run qe help
	assert_success
	assert_output --partial "ingest"
	run qe no-such-tool
	[ "$status" -eq 2 ]
	run qe
	[ "$status" -eq 2 ]
}

@test "decimal-comma locale is installed for the locale tests" {
	run bash -c "locale -a | grep -qi '^de_DE.utf-\?8$'"
	assert_success
}

@test "numbers are identical under a decimal-comma locale (LC_ALL=de_DE.UTF-8)" {
	printf 'curve,date,price\nNG_HH,2026-11-20,3.1\nNG_HH,2026-11-21,0.1e1\nTTF,2026-11-20,31.755\nTTF,2026-11-21,-0.000125\nDE_BASE,2026-11-20,1234567.891\n' > fix.csv
	LC_ALL=C qe-ingest fixings fix.csv --no-markets -o c.csv
	LC_ALL=de_DE.UTF-8 qe-ingest fixings fix.csv --no-markets -o de.csv
	cmp c.csv de.csv
	grep -qx 'NG_HH,2026-11-21,1' de.csv
	grep -qx 'TTF,2026-11-21,-0.000125' de.csv
	# a decimal comma in the data is refused under either locale
	printf 'curve,date,price\nNG_HH,2026-11-20,"3,1"\n' > comma.csv
	run_split env LC_ALL=de_DE.UTF-8 qe-ingest fixings comma.csv --no-markets
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"comma.csv:2:3: column 'price': not a number '3,1'"* ]] || fail "$stderr"
}

# Tools that read an input file, with arguments and a generator of a small
# valid input.  A tool that reads input adds itself here.
stdin_cases() {
	echo "qe-ingest|fixings --no-markets|ingest_input"
	echo "qe-var|measures|pnl_input"
	echo "qe-var|backtest|backtest_input"
	echo "qe-optimize|maxcut|maxcut_input"
	echo "qe-settle|net --data $DATA|settle_input"
	echo "qe-forecast|regress --y y --x x|regress_input"
	echo "qe-report|position -m $DATA/markets.csv -l|ladder_input"
}
ladder_input() { printf 'book,curve,month,delta,unit\nA,NG_HH,2027-01,-30000,MMBtu\nB,TTF,2027-01,744,MWh\n'; }
settle_input() {
	echo trade_id,counterparty,kind,direction,value_date,currency,amount_minor
	echo T1,CP001,option_premium,pay,2026-12-01,USD,1250
	echo T2,CP001,swap_settlement,receive,2026-12-01,USD,99
}
ingest_input() { printf 'curve,date,price\nNG_HH,2026-11-20,3.1\nNG_HH,2026-11-21,3.2\n'; }
pnl_input() {
	echo portfolio,scenario,pnl
	for i in $(seq 1 120); do echo "A,$i,$(( (i * 37) % 23 - 11 ))"; done
}
backtest_input() {
	echo date,var,pnl
	for i in $(seq 1 28); do printf '2025-01-%02d,10,%d\n' "$i" $(( i % 7 - 3 )); done
}
maxcut_input() { printf '4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n'; }
regress_input() { printf 'y,x\n1,0\n3,1\n4,2\n8,3\n'; }

@test "every tool that reads input reads stdin given '-' (and the same as the file)" {
	while IFS='|' read -r tool args gen; do
		[ -x "$QE_BIN/$tool" ] || fail "$tool not built"
		"$gen" > in.txt
		# shellcheck disable=SC2086
		"$tool" $args in.txt > from_file.out 2>/dev/null || fail "$tool $args in.txt failed"
		# shellcheck disable=SC2086
		"$tool" $args - < in.txt > from_stdin.out 2>/dev/null || fail "$tool $args - failed"
		[ -s from_file.out ] || fail "$tool: no output"
		cmp from_file.out from_stdin.out || fail "$tool $args: stdin differs from file"
	done < <(stdin_cases)
}
