#!/usr/bin/env bats
# lib/core/num's printer: its multiplier table is the generator's output.

setup() {
	cd "${QE_TOP:-$BATS_TEST_DIRNAME/..}"
}

@test "lib/core/pow10tab.h is what mk/gen_pow10.py prints" {
	run /usr/bin/python3 mk/gen_pow10.py
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output") lib/core/pow10tab.h
}

@test "lib/core/pow10exact.h is what mk/gen_pow10exact.py prints" {
	run /usr/bin/python3 mk/gen_pow10exact.py
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output") lib/core/pow10exact.h
}
