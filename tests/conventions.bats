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
