#!/usr/bin/env bats
# qe-optimize: Max-Cut / QUBO / Ising solvers.  Optima are checked against
# an independent numpy brute force (or published G-set cuts), never against
# qe-optimize's own exact solver.

load helpers

# gen_graph N DENSITY SEED: random rudy graph with weights in -3..3 \ {0}
gen_graph() {
	"$PYORACLE" - "$@" <<'PY'
import sys, numpy as np
n, d, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
r = np.random.default_rng(seed)
edges = [(i, j, int(r.choice([-3, -2, -1, 1, 2, 3]))) for i in range(1, n + 1)
         for j in range(i + 1, n + 1) if r.random() < d]
print(n, len(edges))
for e in edges: print(*e)
PY
}

# brute KIND FILE: optimum by numpy enumeration of all states
brute() {
	"$PYORACLE" - "$@" <<'PY'
import sys, itertools, numpy as np
kind, path = sys.argv[1], sys.argv[2]
lines = [l.split() for l in open(path) if l.strip() and not l.startswith('c')]
if kind == 'qubo':
    n = int(lines[0][3]); terms = [(int(a), int(b), float(w)) for a, b, w in lines[1:]]
else:
    n = int(lines[0][0]); terms = [(int(a) - 1, int(b) - 1, float(w)) for a, b, w in lines[1:]]
X = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)
S = 2 * X - 1
v = np.zeros(len(X))
for i, j, w in terms:
    if kind == 'maxcut': v += w * (S[:, i] != S[:, j])
    elif kind == 'qubo': v += w * X[:, i] * X[:, j]
    else: v += w * (S[:, i] if i == j else S[:, i] * S[:, j])
print(repr(float(v.max() if kind == 'maxcut' else v.min())))
PY
}

# objective KIND FILE SOLUTION: objective of a solution CSV, by numpy
objective() {
	"$PYORACLE" - "$@" <<'PY'
import sys, csv
kind, path, sol = sys.argv[1:4]
val = {int(r['variable']): int(r['value']) for r in csv.DictReader(open(sol))}
lines = [l.split() for l in open(path) if l.strip() and not l.startswith('c')]
tot = 0.0
for a, b, w in lines[1:]:
    i, j, w = int(a), int(b), float(w)
    if kind == 'maxcut': tot += w * (val[i] != val[j])
    elif kind == 'qubo': tot += w * val[i] * val[j]
print(repr(tot))
PY
}

@test "maxcut: every solver reaches the brute-force optimum on a 16-node graph" {
	gen_graph 16 0.4 3 > g.txt
	want=$(brute maxcut g.txt)
	for s in sa pt exact; do
		run_split qe-optimize maxcut g.txt --solver "$s" --seed 5 -o sol.csv --summary sum.csv -q
		assert_success
		got=$(objective maxcut g.txt sol.csv)
		[ "$got" = "$want" ] || fail "$s: cut $got, optimum $want"
		[ "$(cut -d, -f4 sum.csv | tail -1)" = "${want%.0}" ] || fail "$s: summary objective $(cat sum.csv)"
	done
	for s in bsb dsb; do
		run_split qe-optimize maxcut g.txt --solver "$s" -o sol.csv -q
		assert_success
		got=$(objective maxcut g.txt sol.csv)
		"$PYORACLE" -c "import sys; sys.exit(0 if $got >= 0.9 * $want else 1)" || fail "$s: cut $got vs $want"
	done
}

@test "maxcut: solution CSV is variable,value with 1-based nodes and 0/1 sides" {
	gen_graph 12 0.5 9 > g.txt
	run_split qe-optimize maxcut g.txt -q
	assert_success
	[ "${lines[0]}" = "variable,value" ]
	[ "${#lines[@]}" -eq 13 ]
	[ "${lines[1]%%,*}" = 1 ] && [ "${lines[12]%%,*}" = 12 ]
	for l in "${lines[@]:1}"; do [[ "$l" =~ ^[0-9]+,[01]$ ]] || fail "bad row $l"; done
}

@test "maxcut: G11 reaches the published best-known cut 564 with --target" {
	run_split qe-optimize maxcut "$QE_TOP/tests/data/G11" --target 564 --time-limit 20 --seed 1 --summary s.csv -o sol.csv
	assert_success
	[[ "$stderr" == *"cut 564"* ]] || fail "$stderr"
	run "$PYORACLE" -c "
import csv; r = next(csv.DictReader(open('s.csv')))
assert r['cut'] == '564' and r['objective'] == '564' and r['hit_target'] == '1', r
assert float(r['flips_per_s']) > 0 and int(r['sweeps']) > 0 and float(r['time_to_best_s']) >= 0"
	assert_success
	[ "$(objective maxcut "$QE_TOP/tests/data/G11" sol.csv)" = "564.0" ]
}

@test "maxcut: an unreachable target exits 1 after the allowed restarts" {
	gen_graph 10 0.5 1 > g.txt
	run_split qe-optimize maxcut g.txt --target 1000 --restarts 2 -q
	[ "$status" -eq 1 ]
	[[ "$output" == variable,value* ]]
}

@test "qubo: qbsolv file, 0-based output, equals the brute-force minimum" {
	"$PYORACLE" - > q.qubo <<'PY'
import numpy as np
r = np.random.default_rng(4); n = 14
d = [(i, i, round(r.normal(), 3)) for i in range(n)]
c = [(i, j, round(r.normal(), 3)) for i in range(n) for j in range(i + 1, n) if r.random() < 0.4]
print("c random QUBO"); print("p qubo 0", n, len(d), len(c))
for t in d + c: print(*t)
PY
	want=$(brute qubo q.qubo)
	for s in sa pt; do
		run_split qe-optimize qubo q.qubo --solver "$s" -o sol.csv -q
		assert_success
		got=$(objective qubo q.qubo sol.csv)
		"$PYORACLE" -c "import sys; sys.exit(0 if abs($got - $want) < 1e-9 else 1)" || fail "$s: $got vs $want"
	done
	[ "$(sed -n 2p sol.csv)" = "0,$(sed -n 2p sol.csv | cut -d, -f2)" ]
}

@test "ising: CSV couplings and fields, -1/+1 output, equals brute force" {
	"$PYORACLE" - <<'PY'
import numpy as np, itertools
r = np.random.default_rng(8); n = 12
J = [(i, j, round(r.normal(), 2)) for i in range(1, n + 1) for j in range(i + 1, n + 1) if r.random() < 0.5]
h = [(i, round(r.normal(), 2)) for i in range(1, n + 1)]
open('j.csv', 'w').write('i,j,J\n' + ''.join(f'{a},{b},{w}\n' for a, b, w in J))
open('h.csv', 'w').write('i,h\n' + ''.join(f'{a},{w}\n' for a, w in h))
S = np.array(list(itertools.product([-1, 1], repeat=n)))
E = sum(w * S[:, a - 1] * S[:, b - 1] for a, b, w in J) + sum(w * S[:, a - 1] for a, w in h)
open('want', 'w').write(repr(float(E.min())))
PY
	run_split qe-optimize ising j.csv --fields h.csv -o sol.csv --summary s.csv -q
	assert_success
	run "$PYORACLE" -c "
import csv
s = {int(r['variable']): int(r['value']) for r in csv.DictReader(open('sol.csv'))}
assert set(s.values()) <= {-1, 1}, s
J = [(int(r['i']), int(r['j']), float(r['J'])) for r in csv.DictReader(open('j.csv'))]
h = [(int(r['i']), float(r['h'])) for r in csv.DictReader(open('h.csv'))]
E = sum(w * s[a] * s[b] for a, b, w in J) + sum(w * s[a] for a, w in h)
want = float(open('want').read())
row = next(csv.DictReader(open('s.csv')))
assert abs(E - want) < 1e-9, (E, want)
assert row['cut'] == '' and abs(float(row['objective']) - E) < 1e-9, row"
	assert_success
}

@test "same seed gives byte-identical output for 1 and 2 threads, every solver" {
	gen_graph 60 0.2 2 > g.txt
	for s in sa pt bsb dsb tabu; do
		OMP_NUM_THREADS=1 qe-optimize maxcut g.txt --solver "$s" --seed 9 --sweeps 300 -o a.csv -q
		OMP_NUM_THREADS=2 qe-optimize maxcut g.txt --solver "$s" --seed 9 --sweeps 300 -o b.csv -q
		cmp a.csv b.csv || fail "$s differs with thread count"
	done
}

@test "tabu: the brute-force optimum of 20-node graphs and QUBOs" {
	for seed in 1 2 3; do
		gen_graph 20 0.35 "$seed" > g.txt
		want=$(brute maxcut g.txt)
		run_split qe-optimize maxcut g.txt --solver tabu --seed "$seed" -o sol.csv --summary s.csv -q
		assert_success
		got=$(objective maxcut g.txt sol.csv)
		[ "$got" = "$want" ] || fail "graph $seed: cut $got, optimum $want"
		[ "$(cut -d, -f2 s.csv | tail -1)" = tabu ] || fail "$(cat s.csv)"
	done
	"$PYORACLE" - > q.qubo <<'PY'
import numpy as np
r = np.random.default_rng(12); n = 20
d = [(i, i, round(r.normal(), 3)) for i in range(n)]
c = [(i, j, round(r.normal(), 3)) for i in range(n) for j in range(i + 1, n) if r.random() < 0.3]
print("p qubo 0", n, len(d), len(c))
for t in d + c: print(*t)
PY
	want=$(brute qubo q.qubo)
	run_split qe-optimize qubo q.qubo --solver tabu -o sol.csv -q
	assert_success
	got=$(objective qubo q.qubo sol.csv)
	"$PYORACLE" -c "import sys; sys.exit(0 if abs($got - $want) < 1e-9 else 1)" || fail "qubo: $got vs $want"
}

@test "tabu: --target stops at a known optimum with the same answer for 1, 2 and 3 threads" {
	gen_graph 20 0.4 7 > g.txt
	want=$(brute maxcut g.txt)
	for t in 1 2 3; do
		OMP_NUM_THREADS=$t run_split qe-optimize maxcut g.txt --solver tabu --replicas 5 --seed 4 \
			--target "${want%.0}" -o "sol$t.csv" --summary "s$t.csv" -q
		assert_success
		[ "$(tail -1 "s$t.csv" | cut -d, -f12,13)" = "1,target" ] || fail "$t threads: $(cat "s$t.csv")"
		[ "$(objective maxcut g.txt "sol$t.csv")" = "$want" ] || fail "$t threads: not the optimum"
	done
	cmp sol1.csv sol2.csv && cmp sol1.csv sol3.csv || fail "answer differs with the thread count"
	# G11's best-known cut, and an unreachable target ends on the time limit (exit 1)
	run_split qe-optimize maxcut "$QE_TOP/tests/data/G11" --solver tabu --target 564 --time-limit 30 -o sol.csv -q
	assert_success
	[ "$(objective maxcut "$QE_TOP/tests/data/G11" sol.csv)" = "564.0" ]
	run_split qe-optimize maxcut g.txt --solver tabu --target 100000 --time-limit 0.5 --summary s.csv -o sol.csv -q
	[ "$status" -eq 1 ]
	[ "$(tail -1 s.csv | cut -d, -f12,13)" = "0,time" ] || fail "$(cat s.csv)"
}

@test "options: linear schedule, explicit temperatures, no polish, stdin input" {
	gen_graph 14 0.5 6 > g.txt
	want=$(brute maxcut g.txt)
	run_split qe-optimize maxcut --schedule linear --t0 5 --t1 0.1 --no-polish -o sol.csv -q < g.txt
	assert_success
	[ "$(objective maxcut g.txt sol.csv)" = "$want" ]
	run_split qe-optimize maxcut --t0 0.1 --t1 5 g.txt
	[ "$status" -eq 2 ]
	run_split qe-optimize maxcut --solver nope g.txt
	[ "$status" -eq 2 ]
	run_split qe-optimize nosuch g.txt
	[ "$status" -eq 2 ]
	run_split qe-optimize maxcut --sweeps 0 g.txt
	[ "$status" -eq 2 ]
}

@test "exact solver refuses more than 30 variables (usage, exit 2)" {
	gen_graph 31 0.1 1 > g.txt
	run_split qe-optimize maxcut g.txt --solver exact
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"at most 30"* ]]
}

@test "bad input: header, node range, duplicates, NaN, counts, empty -> exit 3 with file:line" {
	printf '3\n1 2 1\n' > a.txt
	printf '3 1\n1 4 1\n' > b.txt
	printf '3 2\n1 2 1\n2 1 1\n' > c.txt
	printf '3 1\n1 2 nan\n' > d.txt
	printf '3 2\n1 2 1\n' > e.txt
	: > f.txt
	printf 'p qubo 0 2 1 0\n0 0 1\n0 1 1\n' > g.qubo
	printf 'i,j,w\n1,2,inf\n' > h.csv
	printf 'i,j\n1,2\n' > i.csv
	printf '3 1\n1 2 1e999\n' > j.txt
	# file|line:col|message (every record error names its column)
	for f in "a.txt|1:1|malformed header" "b.txt|2:3|outside 1..3" "c.txt|3:1|duplicate edge" \
		 "d.txt|2:5|not a finite" "e.txt|2:1|header says 2" "f.txt||empty" "g.qubo|1:1|header says" \
		 "h.csv|2:3|not a finite" "i.csv|1:1|'w'" "j.txt|2:5|out of range"; do
		IFS='|' read -r file line msg <<< "$f"
		run_split qe-optimize maxcut "$file" -o out.csv
		[ "$status" -eq 3 ] || fail "$file: exit $status"
		[[ "$stderr" == "qe-optimize: $file${line:+:$line}"${line:+: }* ]] || fail "$file: $stderr"
		[[ "$stderr" == *"$msg"* ]] || fail "$file: $stderr"
		assert_file_not_exists out.csv
	done
	run_split qe-optimize maxcut missing.txt
	[ "$status" -eq 4 ]
}

@test "output: /dev/full exits 4, a failed run keeps the previous file" {
	gen_graph 10 0.5 1 > g.txt
	run_split qe-optimize maxcut g.txt -q -o /dev/full
	[ "$status" -eq 4 ]
	run bash -c "qe-optimize maxcut g.txt -q > /dev/full"
	[ "$status" -eq 4 ]
	echo keep > out.csv
	printf '3 1\n1 9 1\n' > bad.txt
	run_split qe-optimize maxcut bad.txt -o out.csv
	[ "$status" -eq 3 ]
	[ "$(cat out.csv)" = keep ]
	run_split qe-optimize maxcut g.txt -q --summary /dev/full -o out.csv
	[ "$status" -eq 4 ]
}

@test "output: -o and --summary commit together: /dev/full on either keeps the other's previous file" {
	for args in "-o a.csv --summary /dev/full" "-o /dev/full --summary a.csv"; do
		echo keep > a.csv
		run_split qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --sweeps 20 $args
		[ "$status" -eq 4 ] || fail "$args: exit $status"
		[[ "$stderr" == *"/dev/full"* ]] || fail "$args: $stderr"
		[ "$(cat a.csv)" = keep ] || fail "$args: a.csv replaced"
		[ -z "$(temps_in .)" ] || fail "$args: temporary files left: $(temps_in .)"
	done
}

@test "output: a path in a missing directory fails before the search and keeps the previous files" {
	gen_graph 10 0.5 1 > g.txt
	echo keep > a.csv
	for args in "-o a.csv --summary nodir/s.csv" "-o nodir/sol.csv --summary a.csv"; do
		run_split qe-optimize maxcut g.txt -q $args
		[ "$status" -eq 4 ] || fail "$args: exit $status"
		[[ "$stderr" == *"nodir/"*"No such file or directory"* ]] || fail "$args: $stderr"
		[ "$(cat a.csv)" = keep ] || fail "$args: a.csv replaced"
		[ -z "$(temps_in .)" ] || fail "$args: temporary files left: $(temps_in .)"
	done
	# a long search is not run first: the path is refused at once
	run_split timeout 20 qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --time-limit 60 -o nodir/sol.csv
	[ "$status" -eq 4 ]
	portfolio_fixture 6 1
	for args in "-o a.csv --summary nodir/s.csv" "-o nodir/p.csv --summary a.csv"; do
		run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv --cardinality 2 -q $args
		[ "$status" -eq 4 ] || fail "portfolio $args: exit $status"
		[ "$(cat a.csv)" = keep ] || fail "portfolio $args: a.csv replaced"
	done
	hedge_fixture 3 6 1
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 \
		--book ACME -q -o a.csv --summary /dev/full
	[ "$status" -eq 4 ]
	[ "$(cat a.csv)" = keep ]
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

@test "output: SIGTERM during a --time-limit search leaves the previous outputs and no temporary file" {
	echo old > sol.csv
	echo old > s.csv
	start_interruptible qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --time-limit 60 -o sol.csv --summary s.csv
	wait_temps . 2
	kill -TERM "$bg_pid"
	wait "$bg_pid" && st=0 || st=$?
	[ "$st" -eq 143 ] || fail "exit $st"
	[ "$(cat sol.csv)" = old ] && [ "$(cat s.csv)" = old ] || fail "previous outputs replaced"
	[ -z "$(temps_in .)" ] || fail "left: $(temps_in .)"
}

@test "output: SIGINT ends the search as --time-limit does and commits the best cut found, stop=interrupted" {
	echo old > sol.csv
	echo old > s.csv
	start_interruptible qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --time-limit 120 -o sol.csv --summary s.csv
	wait_temps . 2
	sleep 1
	kill -INT "$bg_pid"
	wait "$bg_pid" && st=0 || st=$?
	[ "$st" -eq 0 ] || fail "exit $st"
	[ -z "$(temps_in .)" ] || fail "left: $(temps_in .)"
	# a complete solution: every vertex, and the summary's cut is its cut
	run "$PYORACLE" -c '
import sys, pandas as pd
lines = open(sys.argv[1]).read().split("\n")
n, m = map(int, lines[0].split())
sol = pd.read_csv("sol.csv"); s = pd.read_csv("s.csv")
assert sorted(sol.variable) == list(range(1, n + 1)), "not every vertex"
side = dict(zip(sol.variable, sol.value))
cut = sum(int(w) for i, j, w in (l.split() for l in lines[1:m + 1]) if side[int(i)] != side[int(j)])
r = s.iloc[0]
assert r["stop"] == "interrupted", r["stop"]
assert int(r["cut"]) == cut and int(r["objective"]) == cut, (r["cut"], cut)
assert r["elapsed_s"] < 60, r["elapsed_s"]
' "$QE_TOP/tests/data/G11"
	assert_success
	# with a target not reached, the exit status is the one of --time-limit
	start_interruptible qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --target 100000 -o sol.csv --summary s.csv
	wait_temps . 2
	sleep 0.5
	kill -INT "$bg_pid"
	wait "$bg_pid" && st=0 || st=$?
	[ "$st" -eq 1 ] || fail "target not reached: exit $st"
	[ "$(tail -1 s.csv | cut -d, -f12,13)" = "0,interrupted" ] || fail "$(cat s.csv)"
	# the stop reason otherwise: rounds done, target or time
	qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --sweeps 50 -o /dev/null --summary a.csv
	qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --target 10 -o /dev/null --summary b.csv
	qe-optimize maxcut "$QE_TOP/tests/data/G11" -q --time-limit 0.3 -o /dev/null --summary c.csv
	[ "$(for f in a b c; do tail -1 $f.csv | cut -d, -f13; done | tr '\n' ' ')" = "rounds target time " ]
}

@test "output: SIGINT during an exact search (which cannot stop half-way) ends the run; previous outputs kept" {
	"$PYORACLE" -c '
import random
random.seed(1); n = 30
e = [(i, j) for i in range(1, n + 1) for j in range(i + 1, n + 1) if random.random() < 0.3]
print(n, len(e))
for i, j in e: print(i, j, 1)' > g30.txt
	echo old > sol.csv
	start_interruptible qe-optimize maxcut g30.txt --solver exact -q -o sol.csv
	wait_temps . 1
	sleep 0.3
	kill -INT "$bg_pid"
	wait "$bg_pid" && st=0 || st=$?
	[ "$st" -eq 130 ] || fail "exit $st"
	[ "$(cat sol.csv)" = old ]
	[ -z "$(temps_in .)" ] || fail "left: $(temps_in .)"
}

@test "decimal-comma locale changes nothing" {
	printf 'i,j,w\n1,2,0.5\n2,3,1.25\n1,3,0.75\n' > g.csv
	qe-optimize maxcut g.csv -q -o a.csv --summary sa.csv --instance x
	LC_ALL=de_DE.UTF-8 qe-optimize maxcut g.csv -q -o b.csv --summary sb.csv --instance x
	cmp a.csv b.csv
	[ "$(cut -d, -f1-6 sa.csv)" = "$(cut -d, -f1-6 sb.csv)" ]
	[ "$(cut -d, -f4 sa.csv | tail -1)" = "2" ]
}

# hedge_fixture NINSTR RANGE SEED: ladder.csv, cov.csv, hedges.csv (as-of 2026-11-26)
hedge_fixture() {
	"$PYORACLE" - "$@" <<'PY'
import sys, numpy as np
k, rng_, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
r = np.random.default_rng(seed)
months = ['2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05']
factors = [('NG_HH', m, 10000.0) for m in months[:max(2, k // 2)]] + [('CL_WTI', m, 1000.0) for m in months[:max(1, k - k // 2)]]
factors = factors[:k]
nf = len(factors)
A = r.normal(size=(nf, nf)); C = A @ A.T / nf + np.eye(nf) * 0.1
vol = np.array([0.1 if c == 'NG_HH' else 1.5 for c, _, _ in factors])
S = C * np.outer(vol, vol) / np.sqrt(np.outer(np.diag(C), np.diag(C)))
tenor = lambda m: (int(m[:4]) - 2026) * 12 + int(m[5:]) - 11
with open('ladder.csv', 'w') as f:
    f.write('book,curve,month,delta,unit\n')
    for c, m, lot in factors:
        f.write(f'ACME,{c},{m},{round(r.uniform(-0.8, 0.8) * rng_ * lot)},x\n')
    f.write(f'OTHER,NG_HH,2026-12,123456789,MMBtu\n')
with open('cov.csv', 'w') as f:
    f.write('factor1,factor2,cov\n')
    for i, (ci, mi, _) in enumerate(factors):
        for j, (cj, mj, _) in enumerate(factors):
            f.write(f'{ci}:{tenor(mi)},{cj}:{tenor(mj)},{S[i, j]!r}\n')
with open('hedges.csv', 'w') as f:
    f.write('instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n')
    for c, m, lot in factors:
        f.write(f'{c}_{m},{c},{m},{lot:g},{r.uniform(1, 3):.2f},{-rng_},{rng_}\n')
PY
}

# hedge_oracle [brute]: numpy evaluation of hedge.csv/s.csv; brute enumerates all lots
hedge_oracle() {
	"$PYORACLE" - "$@" <<'PY'
import sys, csv, itertools, numpy as np
from scipy.stats import norm
lad = [r for r in csv.DictReader(open('ladder.csv')) if r['book'] == 'ACME']
hed = list(csv.DictReader(open('hedges.csv')))
cov = list(csv.DictReader(open('cov.csv')))
tenor = lambda m: (int(m[:4]) - 2026) * 12 + int(m[5:]) - 11
names = sorted({r['factor1'] for r in cov}); ix = {n: i for i, n in enumerate(names)}
S = np.zeros((len(names), len(names)))
for r in cov: S[ix[r['factor1']], ix[r['factor2']]] = float(r['cov'])
d0 = np.zeros(len(names))
for r in lad: d0[ix[f"{r['curve']}:{tenor(r['month'])}"]] += float(r['delta'])
L = np.zeros((len(names), len(hed)))
for k, h in enumerate(hed): L[ix[f"{h['curve']}:{tenor(h['month'])}"], k] = float(h['lot_size'])
cost = np.array([float(h['cost_per_lot']) for h in hed])
obj = lambda n: (d0 + L @ n) @ S @ (d0 + L @ n) + cost @ np.abs(n)
got = np.array([int(r['lots']) for r in csv.DictReader(open('hedge.csv'))])
s = next(csv.DictReader(open('s.csv')))
rel = lambda a, b: abs(a - b) <= 1e-9 * max(1, abs(b))
v0, v1 = d0 @ S @ d0, (d0 + L @ got) @ S @ (d0 + L @ got)
z = norm.ppf(0.99)
assert rel(float(s['variance_before']), v0) and rel(float(s['variance_after']), v1), s
assert rel(float(s['var_before']), z * v0 ** .5) and rel(float(s['var_after']), z * v1 ** .5), s
assert rel(float(s['objective']), obj(got)), (s['objective'], obj(got))
# continuous relaxation: least squares of the unconstrained, cost-free problem
nrel = np.linalg.lstsq(L.T @ S @ L, -L.T @ S @ d0, rcond=None)[0]
vrel = (d0 + L @ nrel) @ S @ (d0 + L @ nrel)
assert abs(float(s['relaxed_variance']) - vrel) <= 1e-6 * v0, (s['relaxed_variance'], vrel)
assert v1 >= vrel - 1e-9 * v0
lo = np.array([int(h['min_lots']) for h in hed]); hi = np.array([int(h['max_lots']) for h in hed])
rounded = np.clip(np.round(nrel), lo, hi)
assert obj(got) <= obj(rounded) + 1e-9 * v0, (obj(got), obj(rounded))
if sys.argv[1:] == ['brute']:
    best = min(itertools.product(*[range(a, b + 1) for a, b in zip(lo, hi)]), key=lambda n: obj(np.array(n)))
    assert rel(obj(got), obj(np.array(best))), (got, best, obj(got), obj(np.array(best)))
print('ok')
PY
}

@test "hedge: lots equal a numpy brute force over every integer choice" {
	hedge_fixture 3 6 1
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 \
		--book ACME -o hedge.csv --summary s.csv
	assert_success
	[[ "$stderr" == *"VaR(0.99)"* ]]
	[ "$(head -1 hedge.csv)" = "instrument,curve,month,lots,quantity,cost" ]
	run hedge_oracle brute
	assert_output ok
}

@test "hedge: 10 instruments, +-300 lots: beats the rounded continuous relaxation (LAPACK vs numpy)" {
	hedge_fixture 10 300 2
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 \
		--book ACME -o hedge.csv --summary s.csv --seed 3
	assert_success
	run hedge_oracle
	assert_output ok
	OMP_NUM_THREADS=1 qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv \
		--asof 2026-11-26 --book ACME -o one.csv --seed 3 -q
	cmp one.csv hedge.csv
}

@test "hedge: bad inputs are exit 3 with file:line, missing options exit 2" {
	hedge_fixture 3 6 1
	h="--ladder ladder.csv --cov cov.csv --hedges hedges.csv"
	run_split qe-optimize hedge $h
	[ "$status" -eq 2 ]
	run_split qe-optimize hedge $h --asof 2026-13-01
	[ "$status" -eq 2 ]
	sed 's/2027-01/2027-1/' ladder.csv > l2.csv
	run_split qe-optimize hedge --ladder l2.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"l2.csv:3:3: column 'month'"* ]] || fail "$stderr"
	grep -v 'CL_WTI:1,CL_WTI:1' cov.csv > c2.csv
	head -3 cov.csv > c3.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov c3.csv --hedges hedges.csv --asof 2026-11-26
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no covariance"* ]] || fail "$stderr"
	sed '2s/,[^,]*$/,nan/' cov.csv > c4.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov c4.csv --hedges hedges.csv --asof 2026-11-26
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"c4.csv:2:"* ]] || fail "$stderr"
	awk -F, 'NR==3{$3=$3+1}1' OFS=, cov.csv > c5.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov c5.csv --hedges hedges.csv --asof 2026-11-26
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"differs"* ]] || fail "$stderr"
	sed '2s/,-6,6$/,6,-6/' hedges.csv > h2.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges h2.csv --asof 2026-11-26 -o out.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"h2.csv:2:"* ]] || fail "$stderr"
	assert_file_not_exists out.csv
}

@test "hedge: a curve name too long for a risk factor is bad data, not a truncated factor" {
	hedge_fixture 3 6 1
	long=$(printf 'X%.0s' $(seq 300))
	echo "ACME,$long,2027-01,5000,MWh" >> ladder.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 -o a.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"ladder.csv:$(wc -l < ladder.csv):2: column 'curve': curve name too long"* ]] || fail "$stderr"
	assert_file_not_exists a.csv
}

@test "hedge: --drop-uncovered leaves out ladder factors without covariance, with a warning and in the summary" {
	hedge_fixture 3 6 1
	echo "ACME,DE_BASE,2029-06,5000,MWh" >> ladder.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 -o a.csv
	[ "$status" -eq 3 ]
	# by default tenor 31 is carried by DE_BASE:12, as in qe-var
	[[ "$stderr" == *"no covariance for factor DE_BASE:12"* ]] || fail "$stderr"
	assert_file_not_exists a.csv
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-26 \
		--book ACME --drop-uncovered -o hedge.csv --summary s.csv
	assert_success
	[[ "$stderr" == *"1 ladder factors without covariance left out (sum |delta| 5000)"* ]] || fail "$stderr"
	[ "$(mlr --icsv --ojson cut -o -f uncovered_factors,uncovered_abs_delta,mapped_rows s.csv | tr -d ' \n')" = \
		'[{"uncovered_factors":1,"uncovered_abs_delta":5000,"mapped_rows":0}]' ]
	sed -i '$d' ladder.csv
	run hedge_oracle brute
	assert_output ok
}

@test "hedge: ladder and menu tenors beyond 12 are carried by CURVE:12 (qe-var's mapping); VaR covers the whole book (numpy)" {
	"$PYORACLE" - <<'PY'
import numpy as np
f = ['NG_HH:1', 'NG_HH:12', 'CL_WTI:12']
S = np.array([[0.04, 0.02, 0.3], [0.02, 0.03, 0.2], [0.3, 0.2, 4.0]])
with open('cov.csv', 'w') as o:
    o.write('factor1,factor2,cov\n')
    for i in range(3):
        for j in range(3): o.write(f'{f[i]},{f[j]},{S[i, j]!r}\n')
open('ladder.csv', 'w').write('book,curve,month,delta,unit\nB,NG_HH,2026-12,-400000,MMBtu\n'
    'B,NG_HH,2027-11,250000,MMBtu\nB,NG_HH,2028-03,900000,MMBtu\nB,NG_HH,2029-01,-150000,MMBtu\n'
    'B,CL_WTI,2029-06,70000,bbl\n')
open('hedges.csv', 'w').write('instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n'
    'NG1,NG_HH,2026-12,10000,1,-100,100\nNG13,NG_HH,2027-12,10000,1,-100,100\n'
    'CL20,CL_WTI,2028-07,1000,1,-100,100\n')
PY
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-20 \
		-o hedge.csv --summary s.csv
	assert_success
	[[ "$stderr" == *"3 ladder rows beyond tenor 12 carried by CURVE:12 (sum |delta| 1120000)"* ]] || fail "$stderr"
	run "$PYORACLE" - <<'PY'
import csv, numpy as np
from scipy.stats import norm
f = {'NG_HH:1': 0, 'NG_HH:12': 1, 'CL_WTI:12': 2}
S = np.zeros((3, 3))
for r in csv.DictReader(open('cov.csv')): S[f[r['factor1']], f[r['factor2']]] = float(r['cov'])
ten = lambda m: min((int(m[:4]) - 2026) * 12 + int(m[5:]) - 11, 12)
d = np.zeros(3)
for r in csv.DictReader(open('ladder.csv')): d[f[f"{r['curve']}:{ten(r['month'])}"]] += float(r['delta'])
lots = {r['instrument']: int(r['lots']) for r in csv.DictReader(open('hedge.csv'))}
d1 = d.copy()
for r in csv.DictReader(open('hedges.csv')):
    d1[f[f"{r['curve']}:{ten(r['month'])}"]] += lots[r['instrument']] * float(r['lot_size'])
s = next(csv.DictReader(open('s.csv')))
z = norm.ppf(0.99)
rel = lambda a, b: abs(a - b) <= 1e-12 * abs(b)
assert rel(float(s['var_before']), z * np.sqrt(d @ S @ d)), (s['var_before'], z * np.sqrt(d @ S @ d))
assert rel(float(s['var_after']), z * np.sqrt(d1 @ S @ d1)), (s['var_after'], z * np.sqrt(d1 @ S @ d1))
assert s['mapped_rows'] == '3' and s['uncovered_factors'] == '0', s
# the far NG hedge (tenor 13 -> NG_HH:12) offsets the far ladder
assert lots['NG13'] < -80 and float(s['var_after']) < 0.1 * float(s['var_before']), (lots, s)
print('ok')
PY
	assert_output ok
}

@test "hedge: menu contracts at or past their last trading day are left out and counted (--markets)" {
	"$PYORACLE" - <<'PY'
f = ['NG_HH:1', 'NG_HH:2', 'CL_WTI:1', 'CL_WTI:2', 'BRENT:1', 'BRENT:2', 'TTF:1']
with open('cov.csv', 'w') as o:
    o.write('factor1,factor2,cov\n')
    for i in range(len(f)):
        for j in range(len(f)): o.write(f'{f[i]},{f[j]},{(1.0 if i == j else 0.5)!r}\n')
open('ladder.csv', 'w').write('book,curve,month,delta,unit\n' + ''.join(
    f'B,{x.split(":")[0]},{"2026-12" if x.endswith(":1") else "2027-01"},-5000,u\n' for x in f))
open('hedges.csv', 'w').write('instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n' + ''.join(
    f'{x.replace(":", "_")},{x.split(":")[0]},{"2026-12" if x.endswith(":1") else "2027-01"},1000,0.01,-20,20\n' for x in f))
PY
	# (TTF is in EUR: its deltas are added 1:1 to the USD ones)
	h="--ladder ladder.csv --cov cov.csv --hedges hedges.csv --markets $DATA/markets.csv --calendars $DATA/calendars"
	h="$h --allow-mixed-currency"
	# 2026-11-25: Brent Dec-26 ended 30 Oct, WTI Dec-26 on 20 Nov, NG Dec-26 ends today
	run_split qe-optimize hedge $h --asof 2026-11-25 -o hedge.csv --summary s.csv
	assert_success
	[[ "$stderr" == *"hedges.csv: 3 menu rows at or past their last trading day left out"* ]] || fail "$stderr"
	[ "$(cut -d, -f1 hedge.csv | sort | tr '\n' ' ')" = "BRENT_2 CL_WTI_2 NG_HH_2 TTF_1 instrument " ]
	[ "$(mlr --icsv --onidx cut -f expired_menu_rows s.csv)" = 3 ]
	# the day before, NG Dec-26 still trades
	run_split qe-optimize hedge $h --asof 2026-11-24 -o hedge.csv --summary s.csv
	assert_success
	[ "$(mlr --icsv --onidx cut -f expired_menu_rows s.csv)" = 2 ]
	grep -q '^NG_HH_1,' hedge.csv
	# without a curve master only contracts in delivery are left out, with a warning
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-25 -o hedge.csv
	assert_success
	[[ "$stderr" == *"no --markets: last trading days not checked"* ]] || fail "$stderr"
	# a menu curve missing from the curve master is bad data naming the row
	printf 'NOPE_1,NOPE,2027-01,1,0,-1,1\n' >> hedges.csv
	run_split qe-optimize hedge $h --asof 2026-11-25 -o out.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"hedges.csv:9:2: column 'curve': no last trading day: curve not in"* ]] || fail "$stderr"
	assert_file_not_exists out.csv
}

@test "hedge: the bundled menu data/hedges.csv reads" {
	run "$PYORACLE" -c "
import csv
rows = list(csv.DictReader(open('$DATA/hedges.csv')))
assert rows and all(int(r['min_lots']) <= int(r['max_lots']) and float(r['lot_size']) > 0 for r in rows)"
	assert_success
}

# portfolio_fixture N SEED
portfolio_fixture() {
	"$PYORACLE" - "$@" <<'PY'
import sys, numpy as np
n, seed = int(sys.argv[1]), int(sys.argv[2])
r = np.random.default_rng(seed)
A = r.normal(size=(n, n)); S = A @ A.T / n * 0.04
mu = r.uniform(0.01, 0.2, n).round(4); price = r.integers(1, 20, n) * 5
open('assets.csv', 'w').write('asset,expected_return,price\n' + ''.join(f'A{i},{mu[i]},{price[i]}\n' for i in range(n)))
open('pcov.csv', 'w').write('asset1,asset2,cov\n' + ''.join(f'A{i},A{j},{S[i, j]!r}\n' for i in range(n) for j in range(n)))
PY
}

@test "portfolio: budget and cardinality met, optimum equals numpy brute force" {
	portfolio_fixture 12 3
	for kb in 4:150 3:100 5:400; do
		k=${kb%:*} b=${kb#*:}
		run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv --budget "$b" --cardinality "$k" \
			-o p.csv --summary s.csv
		assert_success
		run "$PYORACLE" - "$k" "$b" <<'PY'
import sys, csv, itertools, numpy as np
K, B = int(sys.argv[1]), float(sys.argv[2])
a = list(csv.DictReader(open('assets.csv'))); n = len(a)
mu = np.array([float(x['expected_return']) for x in a]); pr = np.array([float(x['price']) for x in a])
S = np.zeros((n, n))
for r in csv.DictReader(open('pcov.csv')): S[int(r['asset1'][1:]), int(r['asset2'][1:])] = float(r['cov'])
f = lambda x: x @ S @ x - mu @ x
best = min((f(x), tuple(x)) for c in itertools.combinations(range(n), K)
           for x in [np.isin(np.arange(n), c).astype(float)] if pr @ x <= B)
x = np.array([int(r['selected']) for r in csv.DictReader(open('p.csv'))], float)
s = next(csv.DictReader(open('s.csv')))
assert x.sum() == K and pr @ x <= B and s['feasible'] == '1' and int(float(s['selected'])) == K, s
assert abs(f(x) - best[0]) < 1e-12 and abs(float(s['objective']) - best[0]) < 1e-12, (f(x), best)
relaxed = -mu @ np.linalg.solve(2 * S, mu) / 2
assert abs(float(s['relaxed_objective']) - relaxed) <= 1e-9 * abs(relaxed) and relaxed <= f(x)
print('ok')
PY
		assert_output ok
	done
}

@test "portfolio: bad inputs and impossible constraints" {
	portfolio_fixture 5 1
	run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv --cardinality 6
	[ "$status" -eq 2 ]
	run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv
	[ "$status" -eq 2 ]
	sed '3s/^A1,/A0,/' assets.csv > a2.csv
	run_split qe-optimize portfolio --assets a2.csv --cov pcov.csv --cardinality 2
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"a2.csv:3:1: column 'asset'"* ]] || fail "$stderr"
	sed '2s/,[0-9]*$/,0/' assets.csv > a3.csv
	run_split qe-optimize portfolio --assets a3.csv --cov pcov.csv --cardinality 2
	[ "$status" -eq 3 ]
	grep -v '^A4,' pcov.csv > c2.csv
	run_split qe-optimize portfolio --assets assets.csv --cov c2.csv --cardinality 2
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no covariance for"*"A4"* ]] || fail "$stderr"
	# a budget below the cheapest asset cannot be met: numerical failure, exit 5
	run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv --cardinality 1 --budget 1 --sweeps 200
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"NOT MET"* ]]
}

@test "hedge: a ladder mixing USD and EUR is refused without --fx; --fx/--base convert to the base (numpy)" {
	"$PYORACLE" - <<'PY'
import numpy as np
f = ['NG_HH:1', 'TTF:1', 'TTF:2']
S = np.array([[0.04, 0.01, 0.008], [0.01, 2.5, 2.0], [0.008, 2.0, 2.2]])
with open('cov.csv', 'w') as o:
    o.write('factor1,factor2,cov\n')
    for i in range(3):
        for j in range(3): o.write(f'{f[i]},{f[j]},{S[i, j]!r}\n')
open('ladder.csv', 'w').write('book,curve,month,delta,unit\nB,NG_HH,2026-12,-400000,MMBtu\n'
    'B,TTF,2026-12,30000,MWh\nB,TTF,2027-01,-12000,MWh\n')
open('hedges.csv', 'w').write('instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n'
    'NG1,NG_HH,2026-12,10000,1,-100,100\nTTF1,TTF,2026-12,720,1,-100,100\nTTF2,TTF,2027-01,744,1,-100,100\n')
open('fx.csv', 'w').write('currency,rate\nUSD,1\nEUR,1.05\n')
PY
	m="--markets $QE_TOP/data/markets.csv"
	h="--ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-20 $m"
	run_split qe-optimize hedge $h -o a.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"mix currencies (USD, EUR)"*"--fx FILE --base CCY"* ]] || fail "$stderr"
	assert_file_not_exists a.csv
	run_split qe-optimize hedge $h --allow-mixed-currency -o a.csv --summary sa.csv
	assert_success
	[[ "$stderr" == *"warning"*"--allow-mixed-currency: deltas in USD, EUR added 1:1"* ]] || fail "$stderr"
	[ "$(mlr --icsv --onidx cut -f currency sa.csv)" = "" ]
	run_split qe-optimize hedge $h --fx fx.csv
	[ "$status" -eq 2 ]
	run_split qe-optimize hedge --ladder ladder.csv --cov cov.csv --hedges hedges.csv --asof 2026-11-20 \
		--fx fx.csv --base USD
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--fx needs a curve master"* ]] || fail "$stderr"
	grep -v EUR fx.csv > fx2.csv
	run_split qe-optimize hedge $h --fx fx2.csv --base USD
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no FX rate for currency 'EUR'"* ]] || fail "$stderr"
	run_split qe-optimize hedge $h --fx fx.csv --base USD -o hedge.csv --summary s.csv
	assert_success
	run "$PYORACLE" - <<'PY'
import csv, numpy as np
from scipy.stats import norm
f = ['NG_HH:1', 'TTF:1', 'TTF:2']; r = np.array([1, 1.05, 1.05])
S = np.zeros((3, 3))
for x in csv.DictReader(open('cov.csv')): S[f.index(x['factor1']), f.index(x['factor2'])] = float(x['cov'])
d0 = np.array([-400000.0, 30000, -12000]); d1 = d0.copy()
for x in csv.DictReader(open('hedge.csv')):
    d1[f.index(x['curve'] + ':' + str((int(x['month'][:4]) - 2026) * 12 + int(x['month'][5:]) - 11))] += float(x['quantity'])
z = norm.ppf(0.99); s = next(csv.DictReader(open('s.csv')))
v = lambda d: z * np.sqrt((r * d) @ S @ (r * d))
assert s['currency'] == 'USD', s
assert abs(float(s['var_before']) - v(d0)) <= 1e-9 * v(d0), (s['var_before'], v(d0))
assert abs(float(s['var_after']) - v(d1)) <= 1e-9 * v(d0), (s['var_after'], v(d1))
# the 1:1 figure differs (so the conversion took effect)
assert abs(z * np.sqrt(d0 @ S @ d0) - v(d0)) > 1e-3 * v(d0)
print('ok')
PY
	assert_output ok
}

@test "pipeline: the hedge step proposes hedges from the ladder and qe-var's covariance" {
	# a stand-in qe-price that writes a small ladder (the real one may not be built)
	# and no qe-screen (the hedge step waits for its gate, which would need
	# the real valuations): the gate is skipped with a note
	mkdir fakebin
	for t in "$QE_BIN"/qe-*; do ln -s "$t" fakebin/; done
	rm -f fakebin/qe-price fakebin/qe-screen
	cat > fakebin/qe-price <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --ladder ] && out=$2; shift; done
printf 'book,curve,month,delta,unit\nB1,NG_HH,2026-12,-1520000,MMBtu\nB1,NG_HH,2027-01,830000,MMBtu\nB1,CL_WTI,2027-01,45000,bbl\nB1,EUA,2026-12,-12000,t\nB1,DE_BASE,2029-06,5000,MWh\n' > "$out"
SH
	chmod +x fakebin/qe-price
	cd "$QE_TOP"
	run make -s -f pipelines/eod.mk QE_BIN="$TMP/fakebin" OUT="$TMP/out" HEDGE_LADDER="$TMP/out/hedge/ladder.csv" \
		"$TMP/out/hedge/hedges.csv"
	assert_success
	assert_output --partial "eod: hedge: whole book, 99% delta-normal VaR"
	assert_output --regexp "VaR [0-9.e+]+ -> [0-9.e+]+ USD, cost"
	assert_output --partial "(3 expired menu rows left out)"
	cd "$TMP"
	[ "$(head -1 out/hedge/hedges.csv)" = "instrument,curve,month,lots,quantity,cost" ]
	run "$PYORACLE" -c "
import csv
s = next(csv.DictReader(open('out/hedge/summary.csv')))
h = {r['instrument']: int(r['lots']) for r in csv.DictReader(open('out/hedge/hedges.csv'))}
assert float(s['var_after']) < 0.2 * float(s['var_before']), s
assert s['uncovered_factors'] == '0' and s['mapped_rows'] == '1' and s['expired_menu_rows'] == '3', s
assert s['currency'] == 'USD', s
# expired on 2026-11-25: Brent and WTI Dec-26, NG Dec-26 (last trading day today)
assert not {'BRENT_2026-12', 'CL_WTI_2026-12', 'NG_HH_2026-12'} & set(h), h
# the ladder and the hedges as sensitivities (tenor = months after Nov-26,
# on the hedge's factors: its menu stops at tenor 12, qe-optimize(1))
t = lambda m: min((int(m[:4]) - 2026) * 12 + int(m[5:]) - 11, 12)
with open('sens0.csv', 'w') as a, open('sens1.csv', 'w') as b:
    hd = 'trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\\n'
    a.write(hd); b.write(hd)
    for k, r in enumerate(csv.DictReader(open('out/hedge/ladder.csv'))):
        row = f\"L{k},B,{r['curve']},,,{t(r['month'])},{r['delta']},0,0\\n\"
        a.write(row); b.write(row)
    for k, r in enumerate(csv.DictReader(open('out/hedge/hedges.csv'))):
        b.write(f\"H{k},B,{r['curve']},,,{t(r['month'])},{r['quantity']},0,0\\n\")"
	assert_success
	# qe-var param on the same factors, converted to USD with the same FX
	# rates (data/fx.csv), agrees before and after the hedge
	for w in 0 1; do
		qe-var param -q -H out/ingest/history.csv -m out/ingest/markets.csv \
			--calendars "$QE_TOP/data/calendars" -s sens$w.csv -a 0.99 \
			--window 500 --cov ewma --by none --fx "$QE_TOP/data/fx.csv" --base USD -o p$w.csv
	done
	run "$PYORACLE" -c "
import csv
s = next(csv.DictReader(open('out/hedge/summary.csv')))
v = [float(next(csv.DictReader(open(f'p{w}.csv')))['var']) for w in (0, 1)]
assert abs(float(s['var_before']) - v[0]) <= 1e-9 * v[0], (s['var_before'], v)
assert abs(float(s['var_after']) - v[1]) <= 1e-9 * v[0], (s['var_after'], v)"
	assert_success
}

@test "portfolio: 40 assets: feasible, above the LAPACK relaxation bound, no worse than numpy greedy" {
	portfolio_fixture 40 5
	run_split qe-optimize portfolio --assets assets.csv --cov pcov.csv --budget 300 --cardinality 8 \
		--seed 2 -o p.csv --summary s.csv
	assert_success
	run "$PYORACLE" - <<'PY'
import csv, numpy as np
a = list(csv.DictReader(open('assets.csv'))); n = len(a)
mu = np.array([float(x['expected_return']) for x in a]); pr = np.array([float(x['price']) for x in a])
S = np.zeros((n, n))
for r in csv.DictReader(open('pcov.csv')): S[int(r['asset1'][1:]), int(r['asset2'][1:])] = float(r['cov'])
f = lambda x: x @ S @ x - mu @ x
x = np.array([int(r['selected']) for r in csv.DictReader(open('p.csv'))], float)
s = next(csv.DictReader(open('s.csv')))
assert x.sum() == 8 and pr @ x <= 300 and s['feasible'] == '1', (x.sum(), pr @ x, s)
relaxed = -mu @ np.linalg.solve(2 * S, mu) / 2
assert abs(float(s['relaxed_objective']) - relaxed) <= 1e-9 * abs(relaxed) and relaxed <= f(x)
# greedy: add the asset that lowers the objective most while the budget holds
g = np.zeros(n)
for _ in range(8):
    best = min((f(g + np.eye(n)[j]), j) for j in range(n) if g[j] == 0 and pr @ g + pr[j] <= 300)
    g[best[1]] = 1
assert f(x) <= f(g) + 1e-12, (f(x), f(g))
print('ok')
PY
	assert_output ok
	OMP_NUM_THREADS=1 qe-optimize portfolio --assets assets.csv --cov pcov.csv --budget 300 --cardinality 8 \
		--seed 2 -o one.csv -q
	cmp one.csv p.csv
}

@test "progress: a line per round on a terminal, none with --quiet or off a terminal" {
	gen_graph 12 0.5 3 > g.txt
	run script -qec "qe-optimize maxcut g.txt --restarts 3 -o sol.csv" /dev/null
	assert_success
	assert_output --partial "round 3, best energy"
	run script -qec "qe-optimize maxcut g.txt --restarts 3 -q -o sol.csv" /dev/null
	assert_success
	refute_output --partial "round"
	run_split qe-optimize maxcut g.txt --restarts 3 -o sol.csv
	[[ "$stderr" != *"round"* ]]
}

@test "ising: fields alone (no couplings) is a problem; nothing at all is bad data" {
	printf 'i,j,J\n' > j.csv
	printf 'i,h\n1,0.5\n2,-1\n' > h.csv
	run_split qe-optimize ising j.csv --fields h.csv -q
	assert_success
	[ "$output" = "$(printf 'variable,value\n1,-1\n2,1')" ]
	printf 'i,h\n' > e.csv
	run_split qe-optimize ising j.csv --fields e.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no terms"* ]]
	printf 'i,h\n1,0.5\n1,2\n' > d.csv
	run_split qe-optimize ising j.csv --fields d.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"d.csv:3:1: duplicate field for node 1 (first on line 2)"* ]] || fail "$stderr"
}

@test "optimize: -V is --version" {
	run qe-optimize --version
	assert_success
	long=$output
	[ -n "$long" ]
	run qe-optimize -V
	assert_success
	[ "$output" = "$long" ]
}

# Options of each subcommand (besides the solver and output options they
# all take), and one option of another subcommand for each.
sub_options() {
	echo "maxcut|--format|--ladder"
	echo "qubo|--format|--fields"
	echo "ising|--format --fields|--assets"
	echo "hedge|--ladder --cov --hedges --asof --book --confidence --cost-weight --markets --calendars --drop-uncovered --fx --base --allow-mixed-currency|--format"
	echo "portfolio|--assets --cov --cardinality --budget --risk-aversion|--fx"
}
SHARED_OPTIONS="--solver --seed --sweeps --replicas --restarts --time-limit --target --schedule --t0 --t1 --no-polish --output --summary --instance --quiet --help --version"
ALL_OWN_OPTIONS="--format --fields --ladder --cov --hedges --asof --book --confidence --cost-weight --markets --calendars --drop-uncovered --fx --base --allow-mixed-currency --assets --cardinality --budget --risk-aversion"

@test "subcommands: an option of another subcommand is a usage error naming the subcommand" {
	gen_graph 8 0.5 1 > g.txt
	while IFS='|' read -r sub own foreign; do
		run_split qe-optimize "$sub" g.txt "$foreign" x -o out.csv
		[ "$status" -eq 2 ] || fail "$sub $foreign: exit $status"
		[ "${stderr_lines[0]}" = "qe-optimize: $sub: unrecognized option '$foreign'" ] || fail "$sub: $stderr"
		[ "${stderr_lines[1]}" = "Try 'qe-optimize $sub --help' for more information." ] || fail "$sub: $stderr"
		[ -z "$output" ] || fail "$sub: stdout $output"
		assert_file_not_exists out.csv
	done < <(sub_options)
	run_split qe-optimize hedge --ladder l.csv --cov c.csv --hedges h.csv --asof 2026-11-25 --budget 5
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "qe-optimize: hedge: unrecognized option '--budget'" ] || fail "$stderr"
	run_split qe-optimize maxcut g.txt --seed
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "qe-optimize: maxcut: option '--seed' requires an argument" ] || fail "$stderr"
	run_split qe-optimize ising g.txt -z
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "qe-optimize: ising: invalid option -- 'z'" ] || fail "$stderr"
}

@test "subcommands: hedge and portfolio take no operand" {
	for sub in hedge portfolio; do
		run_split qe-optimize "$sub" stray.csv
		[ "$status" -eq 2 ] || fail "$sub: exit $status"
		[ "${stderr_lines[0]}" = "qe-optimize: $sub: unexpected argument 'stray.csv'" ] || fail "$sub: $stderr"
	done
}

@test "subcommands: each --help exits 0 and lists its own options and the shared ones, no other" {
	while IFS='|' read -r sub own foreign; do
		run_split qe-optimize "$sub" --help
		assert_success
		[ -z "$stderr" ] || fail "$sub --help wrote to stderr: $stderr"
		[[ "${lines[0]}" == "usage: qe-optimize $sub "* ]] || fail "$sub: ${lines[0]}"
		for o in $own $SHARED_OPTIONS; do
			[[ "$output" == *"$o "* ]] || fail "$sub --help does not list $o"
		done
		for o in $ALL_OWN_OPTIONS; do
			[[ " $own " == *" $o "* ]] && continue
			[[ "$output" != *"$o "* ]] || fail "$sub --help lists $o of another subcommand"
		done
		run_split qe-optimize "$sub" -h
		assert_success
	done < <(sub_options)
	# the global help lists the subcommands, not their options
	run_split qe-optimize --help
	assert_success
	for sub in maxcut qubo ising hedge portfolio; do
		[[ "$output" == *"  $sub "* ]] || fail "global --help does not list $sub"
	done
	for o in $ALL_OWN_OPTIONS --seed; do
		[[ "$output" != *"$o "* ]] || fail "global --help lists $o"
	done
}

# man_flag --cost-weight: how mdoc writes it, "Fl \-cost\-weight"
man_flag() {
	local name=${1#--}
	printf 'Fl \\-%s' "${name//-/\\-}"
}

@test "subcommands: every option of a subcommand is in its man page section" {
	while IFS='|' read -r sub own foreign; do
		# the subsection '.Ss sub' of COMMANDS, up to the next one
		sect=$(awk -v s="$sub" '$0 == ".Ss " s { on = 1; next } on && /^\.S[sh] / { exit } on' \
			"$QE_TOP/man/qe-optimize.1")
		[ -n "$sect" ] || fail "man page has no section '.Ss $sub'"
		for o in $own; do
			[[ "$sect" == *"$(man_flag "$o")"* ]] || fail "man page section $sub does not list $o"
		done
	done < <(sub_options)
	for o in $SHARED_OPTIONS; do
		grep -qF -- "$(man_flag "$o")" "$QE_TOP/man/qe-optimize.1" || fail "man page does not list $o"
	done
}

@test "every input: a 1 MB malformed line or field is one error at file:2:1; gzip input reads the same" {
	# problem files (CSV couplings and Ising fields)
	printf 'i,j,w\n1,2,1\n2,3,-1\n1,3,2\n' > g.csv
	printf 'i,h\n1,0.5\n2,-0.5\n' > h.csv
	hedge_fixture 3 6 1
	portfolio_fixture 5 1
	for k in g h ladder hedges cov assets pcov; do
		long_lines "$k.csv" "$k"
		for v in bad long; do
			in=(g.csv) fields=(--fields h.csv) hl=ladder.csv hh=hedges.csv hc=cov.csv pa=assets.csv pc=pcov.csv
			case $k in
			g) in=("$k.$v.csv") ;; h) fields=(--fields "$k.$v.csv") ;; ladder) hl=$k.$v.csv ;;
			hedges) hh=$k.$v.csv ;; cov) hc=$k.$v.csv ;; assets) pa=$k.$v.csv ;; pcov) pc=$k.$v.csv ;;
			esac
			case $k in
			g | h) run_split qe-optimize ising "${in[@]}" "${fields[@]}" --seed 1 --sweeps 50 -o never.csv ;;
			ladder | hedges | cov) run_split qe-optimize hedge --ladder "$hl" --cov "$hc" --hedges "$hh" \
				--asof 2026-11-26 --sweeps 50 -o never.csv ;;
			*) run_split qe-optimize portfolio --assets "$pa" --cov "$pc" --cardinality 2 --sweeps 50 -o never.csv ;;
			esac
			[ "$status" -eq 3 ] || fail "$k.$v.csv: exit $status: ${stderr:0:500}"
			want="malformed CSV record (bad quoting)"
			[ "$v" = long ] && want="field longer than 65536 bytes"
			one_diagnostic "$k.$v.csv" 2:1 "$want"
			[ ! -e never.csv ]
		done
	done
	qe-optimize ising g.csv --fields h.csv --seed 1 --sweeps 50 -o plain.csv
	gzip -c g.csv > g.csv.gz
	gzip -c h.csv > h.gz
	qe-optimize ising g.csv.gz --fields h.gz --seed 1 --sweeps 50 -o gz.csv
	cmp plain.csv gz.csv
	gzip -c g.csv | qe-optimize ising --fields h.csv --seed 1 --sweeps 50 -o stdin.csv
	cmp plain.csv stdin.csv
}
