#!/usr/bin/env bats
# make MPI=1: bin-mpi/qe-var, qe-price and qe-optimize under
# `mpirun --oversubscribe -np 1..4` write the same bytes as the plain
# build in bin/ (one process), with 1 or 2 OpenMP threads per rank; a
# rank that fails ends the job with the tool's exit code and no output.
# Oracle: the plain build (whose numbers the other bats files check
# against numpy/scipy/QuantLib), byte for byte.  Never skipped: make check
# builds bin-mpi/ first.

load helpers

QE_MPI_BIN=${QE_MPI_BIN:-$QE_TOP/bin-mpi}
# Open MPI refuses root without these (a container's test run is root)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# no network probing on a single box: shared memory and loopback only
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_hwloc_base_binding_policy=none

# mpi NP THREADS TOOL ARGS...: TOOL of bin-mpi/ on NP ranks
mpi() {
	local np=$1 th=$2 tool=$3
	shift 3
	# (a failing rank ends the others with SIGTERM, then SIGKILL after this
	# many seconds: on a loaded machine one second can be too short for
	# them to remove their temporary files; qe(7) MPI)
	OMPI_MCA_odls_base_sigkill_timeout=10 OMP_NUM_THREADS=$th mpirun --oversubscribe --bind-to none -np "$np" \
		-x OMP_NUM_THREADS -x PATH "$QE_MPI_BIN/$tool" "$@"
}

# same_as_plain 'OUTPUTS' TOOL ARGS...: runs TOOL ARGS with the plain
# build (2 threads) into ref/, then on 1, 2, 3 and 4 ranks with 1 or 2
# threads each (MPI_COMBOS, RANKS:THREADS) into run/, and compares each
# of OUTPUTS (paths relative to the run's directory) byte for byte.  The
# args name outputs as relative paths.  Every run exits $MPI_STATUS (0
# unless set); the plain run's stderr is in ref.err, the last MPI run's
# in run.err.
MPI_COMBOS=${MPI_COMBOS:-1:1 2:2 3:1 4:2}
same_as_plain() {
	local outs=$1 tool=$2 want=${MPI_STATUS:-0} c np th f rc
	shift 2
	rm -rf ref && mkdir ref || fail "mkdir ref"
	rc=0
	(cd ref && OMP_NUM_THREADS=2 "$QE_BIN/$tool" "$@") 2> ref.err || rc=$?
	[ "$rc" -eq "$want" ] || fail "plain $tool exited $rc, not $want: $(cat ref.err)"
	for c in $MPI_COMBOS; do
		np=${c%:*} th=${c#*:}
		rm -rf run && mkdir run
		rc=0
		(cd run && mpi "$np" "$th" "$tool" "$@") 2> run.err || rc=$?
		[ "$rc" -eq "$want" ] || fail "$tool on $np ranks x $th threads exited $rc, not $want: $(cat run.err)"
		for f in $outs; do
			[ -s "ref/$f" ] || fail "ref/$f empty"
			cmp "ref/$f" "run/$f" || fail "$tool $f differs on $np ranks x $th threads"
		done
		[ -z "$(temps_in run)" ] || fail "temporary files left: $(temps_in run)"
	done
}

setup_file() {
	[ -x "$QE_MPI_BIN/qe-var" ] && [ -x "$QE_MPI_BIN/qe-price" ] && [ -x "$QE_MPI_BIN/qe-optimize" ] ||
		{ echo "bin-mpi/ not built: make MPI=1 (make check builds it)" >&2; return 1; }
	command -v mpirun > /dev/null || { echo "mpirun missing: make deps (openmpi-bin)" >&2; return 1; }
	cd "$BATS_FILE_TMPDIR" || return 1
	# the book's sensitivities and a 300-trade slice for full revaluation
	"$QE_BIN/qe-price" -q --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" \
		--vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --markets "$DATA/markets.csv" \
		--fixings "$DATA/fixings.csv" -o val.csv --sensitivities sens.csv || [ $? -eq 3 ]
	head -301 "$DATA/trades.csv" > trades300.csv
}

@test "mpi: the MPI tools are the plain ones built with mpicc, and the plain build links no MPI" {
	run ldd "$QE_BIN/qe-var"
	refute_output --partial libmpi
	run ldd "$QE_MPI_BIN/qe-var"
	assert_output --partial libmpi
	run "$QE_MPI_BIN/qe-var" --version
	assert_success
	[ "$output" = "$("$QE_BIN/qe-var" --version)" ]
}

@test "mpi: qe-var hs (sensitivities, --cube) is byte-identical on 1-4 ranks" {
	S=$BATS_FILE_TMPDIR
	same_as_plain "var.csv cube.csv" qe-var hs -q -H "$DATA/history.csv" -m "$DATA/markets.csv" \
		-s "$S/sens.csv" -a 0.975,0.99 --window 500 --cube cube.csv -o var.csv
}

@test "mpi: qe-var mc (sensitivities, 30000 paths in 8 blocks) is byte-identical on 1-4 ranks" {
	S=$BATS_FILE_TMPDIR
	same_as_plain "mc.csv" qe-var mc -q -H "$DATA/history.csv" -m "$DATA/markets.csv" \
		-s "$S/sens.csv" -a 0.975,0.99 --window 500 --cov ewma --repair --paths 30000 --seed 7 -o mc.csv
}

@test "mpi: qe-var stress (shocks and worst window) is byte-identical on 1-4 ranks" {
	S=$BATS_FILE_TMPDIR
	same_as_plain "stress.csv" qe-var stress -q -H "$DATA/history.csv" -m "$DATA/markets.csv" \
		-s "$S/sens.csv" --shocks "$QE_TOP/pipelines/var-shocks.csv" --worst -o stress.csv
}

@test "mpi: qe-var hs --full and mc --full (300 trades repriced) are byte-identical on 1-4 ranks" {
	S=$BATS_FILE_TMPDIR
	F=(--full --asof 2026-11-25 -H "$DATA/history.csv" -m "$DATA/markets.csv" --trades "$S/trades300.csv"
		--curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv")
	same_as_plain "hs.csv cube.csv" qe-var hs -q "${F[@]}" --window 120 -a 0.95,0.99 --cube cube.csv -o hs.csv
	same_as_plain "mc.csv" qe-var mc -q "${F[@]}" --window 120 -a 0.95,0.99 --repair --paths 9000 --seed 3 -o mc.csv
}

@test "mpi: qe-optimize maxcut and qubo (replicas shared) give the one process's answer on 1-4 ranks" {
	same_as_plain "cut.csv" qe-optimize maxcut "$QE_TOP/tests/data/G11" --solver sa --seed 4 --sweeps 200 \
		--replicas 6 --restarts 2 -q -o cut.csv
	"$PYORACLE" - > "$BATS_TEST_TMPDIR/q.qubo" <<'PY'
import numpy as np
r = np.random.default_rng(5); n = 40
d = [(i, i, round(r.normal(), 3)) for i in range(n)]
c = [(i, j, round(r.normal(), 3)) for i in range(n) for j in range(i + 1, n) if r.random() < 0.3]
print("p qubo 0", n, len(d), len(c))
for t in d + c: print(*t)
PY
	# simulated bifurcation: replicas in blocks of 8 lanes, 20 of them
	same_as_plain "q.csv" qe-optimize qubo "$BATS_TEST_TMPDIR/q.qubo" --solver bsb --seed 2 --replicas 20 \
		--restarts 3 -q -o q.csv
}

# The 300-trade slice (amends and cancels among them) as every rank reads
# it; the ranks price blocks of its trades and rank 0 writes them all.
PRICE_OUTS="v.csv s.csv l.csv e.csv"
price_args() {
	P=(--asof 2026-11-25 --curves "$DATA/curves.csv" --rates "$DATA/rates.csv" --markets "$DATA/markets.csv"
		--fixings "$DATA/fixings.csv" -o v.csv --sensitivities s.csv --ladder l.csv --errors e.csv)
}

@test "mpi: qe-price (valuations, sensitivities, ladder, errors) is byte-identical on 1-4 ranks" {
	price_args
	same_as_plain "$PRICE_OUTS" qe-price -q "${P[@]}" --trades "$BATS_FILE_TMPDIR/trades300.csv" \
		--vols "$DATA/vols.csv"
	# every kind of trade of the slice was priced, spreads and Americans too
	[ "$(wc -l < run/v.csv)" -gt 250 ] || fail "$(wc -l < run/v.csv) valuations"
	# the HDF5 tables too
	MPI_COMBOS="3:1" same_as_plain "v.h5 s.h5" qe-price -q "${P[@]}" --trades "$BATS_FILE_TMPDIR/trades300.csv" \
		--vols "$DATA/vols.csv" --to h5 -o v.h5 --sensitivities s.h5
}

@test "mpi: qe-price with unpriceable trades exits 3 with the one process's outputs and message (2-4 ranks)" {
	# no vols: every option, Asian and spread of the slice fails, in every
	# rank's block; and a quantity that is not a number in the last
	# quarter of the slice (rank 3's block on 4 ranks): a rejected row
	line=$("$PYORACLE" - "$BATS_FILE_TMPDIR/trades300.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
q, st = rows[0].index("quantity"), rows[0].index("status")
i = next(i for i in range(len(rows) - 20, 0, -1) if rows[i][st] == "new")
rows[i][q] = "12x"
csv.writer(open("bad300.csv", "w", newline=''), lineterminator="\n").writerows(rows)
print(i + 1)
PY
)
	price_args
	MPI_STATUS=3 MPI_COMBOS="4:2" same_as_plain "$PRICE_OUTS" qe-price "${P[@]}" --trades "$PWD/bad300.csv"
	# the message of one process, once (rank 0's); the errors file holds
	# the rejected row and the options
	msg=$(grep 'could not be priced' ref.err)
	[ -n "$msg" ] || fail "plain: $(cat ref.err)"
	[ "$(grep -cxF "$msg" run.err)" -eq 1 ] || fail "4 ranks: $(cat run.err)"
	grep -q "bad300.csv:$line:[0-9]*: column 'quantity'" run/e.csv || fail "line $line: $(cat run/e.csv)"
	[ "$(grep -c 'vol' run/e.csv)" -gt 20 ] || fail "$(cat run/e.csv)"
	# -H: Kirk correlations from the history, the book in memory in one
	# process too
	MPI_STATUS=3 MPI_COMBOS="3:1" same_as_plain "$PRICE_OUTS" qe-price "${P[@]}" --trades "$PWD/bad300.csv" \
		--vols "$DATA/vols.csv" -H "$DATA/history.csv"
	# trades from stdin: rank 0 reads and prices them alone
	MPI_COMBOS="" same_as_plain "" qe-price -q "${P[@]}" --vols "$DATA/vols.csv" --trades "$BATS_FILE_TMPDIR/trades300.csv"
	rm -rf run && mkdir run
	(cd run && mpi 2 1 qe-price -q "${P[@]}" --vols "$DATA/vols.csv" --trades - < "$BATS_FILE_TMPDIR/trades300.csv") ||
		fail "stdin on 2 ranks"
	for f in $PRICE_OUTS; do
		cmp "ref/$f" "run/$f" || fail "$f differs with trades from stdin"
	done
}

@test "mpi: qe-price: bad input every rank reads is reported once, with the one process's code and no output" {
	"$PYORACLE" - "$DATA/curves.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
rows[7][rows[0].index("price")] = "4.x"
csv.writer(open("badcurves.csv", "w", newline=''), lineterminator="\n").writerows(rows)
PY
	price_args
	T=(--trades "$BATS_FILE_TMPDIR/trades300.csv" --vols "$DATA/vols.csv")
	run_split "$QE_BIN/qe-price" -q "${P[@]}" "${T[@]}" --curves "$PWD/badcurves.csv"
	[ "$status" -eq 3 ] && [[ "$stderr" == *"badcurves.csv:8:5:"* ]] || fail "plain: $status: $stderr"
	msg=$stderr
	run_split mpi 4 1 qe-price -q "${P[@]}" "${T[@]}" --curves "$PWD/badcurves.csv"
	[ "$status" -eq 3 ] || fail "4 ranks: status $status: $stderr"
	[ "$(grep -cxF "$msg" <<< "$stderr")" -eq 1 ] || fail "4 ranks: $stderr"
	for f in $PRICE_OUTS; do assert_file_not_exist "$f"; done
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
	# an output that cannot be created: rank 0's exit 4, once
	run_split "$QE_BIN/qe-price" -q "${P[@]}" "${T[@]}" --ladder nodir/l.csv
	[ "$status" -eq 4 ] || fail "plain: $status: $stderr"
	msg=$stderr
	run_split mpi 3 1 qe-price -q "${P[@]}" "${T[@]}" --ladder nodir/l.csv
	[ "$status" -eq 4 ] || fail "3 ranks: status $status: $stderr"
	[ "$(grep -cxF "$msg" <<< "$stderr")" -eq 1 ] || fail "3 ranks: $stderr"
	for f in $PRICE_OUTS; do assert_file_not_exist "$f"; done
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

@test "mpi: a scenario that overflows on one rank ends the job with exit 5 and no output" {
	# one day of the history (the 400th scenario of 500: rank 3's share
	# on 4 ranks) jumps a curve by 1e300: that scenario's P&L is not finite
	"$PYORACLE" - "$DATA/history.csv" <<'PY'
import sys, csv
rows = list(csv.reader(open(sys.argv[1])))
hdr, body = rows[0], rows[1:]
dates = sorted({r[0] for r in body})
bad = dates[-101]
pi = hdr.index("price")
with open("bad.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(hdr)
    for r in body:
        if r[0] == bad:
            r[pi] = repr(float(r[pi]) * 1e300)
        w.writerow(r)
PY
	S=$BATS_FILE_TMPDIR
	for np in 1 4; do
		run_split mpi "$np" 1 qe-var hs -q -H bad.csv -m "$DATA/markets.csv" -s "$S/sens.csv" --window 500 \
			-o out.csv --cube cube.csv
		[ "$status" -eq 5 ] || fail "$np ranks: status $status: $stderr"
		[[ "$stderr" == *"not finite"* ]] || fail "$np ranks: $stderr"
		assert_file_not_exist out.csv
		assert_file_not_exist cube.csv
		[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
	done
	# a usage error on every rank: exit 2, once the job is down
	run_split mpi 3 1 qe-var hs --window nope
	[ "$status" -eq 2 ]
}
