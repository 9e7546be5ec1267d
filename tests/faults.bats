#!/usr/bin/env bats
# Fault tests: every tool is SIGKILLed at random points of a run.  The
# previous outputs must stay intact - all of them old, or all of them new
# when the kill came after the commit - and the next run must succeed and
# remove what the killed runs left (temporary files, commit journals).  A
# kill inside the commit itself leaves an armed journal; the next run of
# any tool in that directory completes it (qe(7)).  The kill delays are
# drawn from QE_FAULT_SEED (default: the clock), printed on failure.

load helpers

# leftovers DIR: temporary files and commit journals in DIR
leftovers() {
	ls -A "$1" | grep -E '\.tmp\.|qe-journal' || true
}

# digest DIR FILE...: the SHA-256 prefixes of DIR/FILE... on one line
# (- for a missing file); a run summary (sum.csv) without its timings
digest() {
	local d=$1 f have=()
	shift
	for f in "$@"; do
		[ "$f" != sum.csv ] && [ -f "$d/$f" ] && have+=("$d/$f")
	done
	local sums=() line
	[ ${#have[@]} -eq 0 ] || mapfile -t sums < <(sha256sum -- "${have[@]}")
	local i=0 out=""
	for f in "$@"; do
		if [ ! -f "$d/$f" ]; then
			out+="- "
		elif [ "$f" = sum.csv ]; then
			out+="$(cut -d, -f1-6 "$d/$f" | sha256sum | cut -c1-16) "
		else
			line=${sums[i]}
			out+="${line:0:16} "
			i=$((i + 1))
		fi
	done
	echo "$out"
}

# ok_status STATUS: 0, or the exit status a run is expected to end with
ok_status() {
	[ "$1" -eq 0 ] || [ "$1" -eq "${OK_STATUS:-0}" ]
}

# kill_runs OUT...: needs a function args_for OLD|NEW DIR that sets the
# array ARGS to the command writing OUT... into DIR.  Writes the old
# outputs, then QE_FAULT_KILLS times starts the new run and SIGKILLs it
# after a random delay, checking the outputs each time; then runs it to
# the end.
kill_runs() {
	local outs=("$@") seed=${QE_FAULT_SEED:-$(date +%s)} i delay ms t0 old new now mid=0 pid
	RANDOM=$seed
	mkdir ref out
	args_for new ref
	t0=$(date +%s%N)
	"${ARGS[@]}" > /dev/null 2>&1 || ok_status $? || fail "the new run fails by itself: ${ARGS[*]}"
	ms=$((($(date +%s%N) - t0) / 1000000))
	args_for old out
	"${ARGS[@]}" > /dev/null 2>&1 || ok_status $? || fail "the old run fails: ${ARGS[*]}"
	old=$(digest out "${outs[@]}")
	new=$(digest ref "${outs[@]}")
	[ "$old" != "$new" ] || fail "old and new outputs are the same: the test cannot tell them apart"
	args_for new out
	for i in $(seq "${QE_FAULT_KILLS:-8}"); do
		delay=$((RANDOM % (ms + ms / 4 + 1)))
		"${ARGS[@]}" > /dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		kill -KILL "$pid" 2> /dev/null || true
		wait "$pid" || true
		now=$(digest out "${outs[@]}")
		if ls -A out | grep -q '\.qe-journal$'; then
			# killed inside the commit: any run writing into out/ completes it
			mid=$((mid + 1))
			qe-synth -q --calendars "$DATA/calendars" --only markets -o out/probe.csv ||
				fail "seed $seed, kill $i: the run after a killed commit fails"
			rm out/probe.csv
			now=$(digest out "${outs[@]}")
			[ "$now" = "$new" ] || fail "seed $seed, kill $i after $delay ms: a killed commit not completed: $now"
		fi
		[ "$now" = "$old" ] || [ "$now" = "$new" ] ||
			fail "seed $seed, kill $i after $delay ms: outputs neither all old nor all new: $now (old $old, new $new)"
	done
	"${ARGS[@]}" > /dev/null 2>&1 || ok_status $? || fail "seed $seed: the run after the kills fails: ${ARGS[*]}"
	[ "$(digest out "${outs[@]}")" = "$new" ] || fail "seed $seed: the last run did not write every output"
	[ -z "$(leftovers out)" ] || fail "seed $seed: left by the killed runs: $(leftovers out)"
	echo "# seed $seed: $ms ms a run, ${QE_FAULT_KILLS:-8} kills, $mid inside the commit" >&3
}

setup_file() {
	qe-synth -q --calendars "$DATA/calendars" --trades 3000 -d "$BATS_FILE_TMPDIR/book"
	{ cat "$BATS_FILE_TMPDIR/book/trades.csv"; echo "BAD1,x,y"; } > "$BATS_FILE_TMPDIR/book/trades_bad.csv"
	export B="$BATS_FILE_TMPDIR/book"
}

@test "faults: qe-synth killed at random points keeps all old or all new files; the next run cleans up" {
	args_for() {
		local seed=1
		[ "$1" = new ] && seed=2
		ARGS=(qe-synth -q --calendars "$DATA/calendars" --trades 3000 --seed "$seed" -d "$2")
	}
	kill_runs markets.csv curves.csv vols.csv rates.csv history.csv fixings.csv trades.csv \
		counterparties.csv limits.csv meters.csv weather.csv fx_history.csv vol_history.csv load.csv
}

@test "faults: qe-ingest killed at random points keeps output and rejects together; the next run cleans up" {
	args_for() {
		if [ "$1" = new ]; then
			ARGS=(qe-ingest -q trades "$B/trades_bad.csv" --markets "$B/markets.csv" -o "$2/t.csv" --rejects "$2/r.csv")
		else
			ARGS=(qe-ingest -q trades "$B/trades.csv" --markets "$B/markets.csv" --all-versions -o "$2/t.csv" --rejects "$2/r.csv")
		fi
	}
	OK_STATUS=3 kill_runs t.csv r.csv # the bad row is rejected: exit 3
}

@test "faults: qe-price killed at random points keeps its four outputs together; the next run cleans up" {
	args_for() {
		local bump=0
		[ "$1" = new ] && bump=0.5
		ARGS=(qe-price -q --asof 2026-11-25 --trades "$B/trades.csv" --curves "$B/curves.csv"
			--vols "$B/vols.csv" --rates "$B/rates.csv" --markets "$B/markets.csv"
			--fixings "$B/fixings.csv" --calendars "$DATA/calendars" --bump "$bump"
			-o "$2/v.csv" --sensitivities "$2/s.csv" --ladder "$2/l.csv" --errors "$2/e.csv")
	}
	kill_runs v.csv s.csv l.csv e.csv
}

@test "faults: qe-var killed at random points keeps VaR and cube together; the next run cleans up" {
	qe-price -q --asof 2026-11-25 --trades "$B/trades.csv" --curves "$B/curves.csv" \
		--vols "$B/vols.csv" --rates "$B/rates.csv" --markets "$B/markets.csv" \
		--fixings "$B/fixings.csv" --calendars "$DATA/calendars" -o /dev/null --sensitivities sens.csv
	args_for() {
		local window=250
		[ "$1" = new ] && window=200
		ARGS=(qe-var hs -q -H "$B/history.csv" -m "$B/markets.csv" --calendars "$DATA/calendars" -s sens.csv --window "$window"
			-a 0.99 -o "$2/hs.csv" --cube "$2/cube.csv")
	}
	kill_runs hs.csv cube.csv
}

@test "faults: qe-optimize killed at random points keeps solution and summary together; the next run cleans up" {
	args_for() {
		local seed=1
		[ "$1" = new ] && seed=2
		ARGS=(qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --sweeps 1500 --seed "$seed"
			-o "$2/sol.csv" --summary "$2/sum.csv")
	}
	kill_runs sol.csv sum.csv
}
