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
# args name outputs as relative paths.
MPI_COMBOS=${MPI_COMBOS:-1:1 2:2 3:1 4:2}
same_as_plain() {
	local outs=$1 tool=$2 c np th f
	shift 2
	rm -rf ref && mkdir ref && (cd ref && OMP_NUM_THREADS=2 "$QE_BIN/$tool" "$@") || fail "plain $tool failed"
	for c in $MPI_COMBOS; do
		np=${c%:*} th=${c#*:}
		rm -rf run && mkdir run
		(cd run && mpi "$np" "$th" "$tool" "$@") || fail "$tool on $np ranks x $th threads failed"
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

@test "mpi: qe-price on 2 ranks writes the one process's valuations (rank 0 prices)" {
	MPI_COMBOS="2:2" same_as_plain "v.csv s.csv" qe-price -q --asof 2026-11-25 --trades "$BATS_FILE_TMPDIR/trades300.csv" \
		--curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv" \
		--markets "$DATA/markets.csv" --fixings "$DATA/fixings.csv" -o v.csv --sensitivities s.csv
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
