#!/usr/bin/env bats
# qe-var pla: the FRTB P&L attribution test (Spearman, Kolmogorov-Smirnov,
# MAR32 zones).  Oracle: scipy.stats.spearmanr and ks_2samp under $PYORACLE.

load helpers

# scipy's statistics and the MAR32 zone of every row of pla.csv, against
# the two cubes (or series) it compared; prints ok.
pla_oracle() {
	"$PYORACLE" - "$@" <<'PY'
import csv, sys, math
import numpy as np
from scipy import stats
full, sens, out = sys.argv[1:4]
def load(path):
    d = {}
    for r in csv.DictReader(open(path)):
        key = r.get("portfolio", "total")
        d.setdefault(key, {})[r.get("scenario") or r["date"]] = float(r["pnl"])
    return d
F, S = load(full), load(sens)
rows = list(csv.DictReader(open(out)))
assert [r["portfolio"] for r in rows] == list(F) or len(F) == 1, (rows, list(F))
assert len(rows) == len(F)
for r in rows:
    p = r["portfolio"] if len(F) > 1 or r["portfolio"] in F else list(F)[0]
    sc = sorted(F[p])
    x = np.array([F[p][s] for s in sc]); y = np.array([S[p][s] for s in sc])
    rho = stats.spearmanr(x, y).statistic
    ks = stats.ks_2samp(x, y).statistic
    assert int(r["scenarios"]) == len(sc)
    assert abs(float(r["spearman"]) - rho) <= 1e-12, (p, r["spearman"], rho)
    assert abs(float(r["ks"]) - ks) <= 1e-12, (p, r["ks"], ks)
    zone = "red" if rho < 0.70 or ks > 0.12 else "green" if rho > 0.80 and ks < 0.09 else "amber"
    assert r["zone"] == zone, (p, r["zone"], zone, rho, ks)
    assert r["currency"] == (p.rsplit("/", 1)[1] if "/" in p else ""), r
print("ok")
PY
}

# two cubes of n scenarios, P&L rounded to whole units (ties in each and
# across the two), the sensitivity cube's rows in another order, one
# portfolio per zone: A close (green), B noisy (amber), D/EUR close;
# with "red" also C sign-flipped (red by Spearman) and E shifted (red by KS)
make_cubes() {
	"$PYORACLE" - "$1" "$2" <<'PY'
import sys, numpy as np
n, red = int(sys.argv[1]), sys.argv[2] == "red"
rng = np.random.default_rng(12)
pfs = {"A": (1, 0.02, 0), "B, Inc": (1, 0.8, 0), "D/EUR": (1, 0.05, 0)}
if red: pfs.update({"C": (-1, 0, 0), "E": (1, 0.01, 8)})
full, sens = [], []
for p, (sign, noise, shift) in pfs.items():
    x = np.round(rng.standard_t(4, n) * 20)
    y = np.round(sign * x + noise * 20 * rng.standard_normal(n) + shift)
    for i in range(n):
        full.append((p, "2026-%02d-%02d" % (1 + i // 28, 1 + i % 28), x[i]))
        sens.append((p, "2026-%02d-%02d" % (1 + i // 28, 1 + i % 28), y[i]))
rng.shuffle(sens)
def q(s): return '"%s"' % s if "," in s else s
for name, rows in (("full.csv", full), ("sens.csv", sens)):
    with open(name, "w") as f:
        f.write("portfolio,scenario,pnl,asof\n")
        for p, s, v in rows: f.write("%s,%s,%r,2026-12-04\n" % (q(p), s, float(v)))
PY
}

@test "pla: Spearman and KS equal scipy's to 1e-12 on data with ties; zones as MAR32; exit 1 when red" {
	make_cubes 250 red
	run_split qe-var pla --full-cube full.csv --sens-cube sens.csv -o pla.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"P&L attribution: 2 of 5 portfolios red"* ]]
	run head -1 pla.csv
	assert_output "asof,portfolio,scenarios,spearman,ks,zone,currency"
	run pla_oracle full.csv sens.csv pla.csv
	assert_output ok
	# every zone is there and the as-of date is the cubes'
	run "$PYORACLE" -c 'import csv; print(" ".join(r["zone"] for r in csv.DictReader(open("pla.csv"))))'
	assert_output "green amber green red red"
	grep -q '^2026-12-04,D/EUR,250,.*,EUR$' pla.csv
	make_cubes 250 green
	run_split qe-var pla --full-cube full.csv --sens-cube sens.csv -o pla.csv
	assert_success
	run pla_oracle full.csv sens.csv pla.csv
	assert_output ok
}

# a small market and book: three curves, two books
make_book() {
	"$PYORACLE" - <<'PY'
import numpy as np, datetime
rng = np.random.default_rng(3)
days, d = [], datetime.date(2025, 1, 1)
while len(days) < 300:
    if d.weekday() < 5: days.append(d)
    d += datetime.timedelta(days=1)
with open("history.csv", "w") as f, open("markets.csv", "w") as g:
    f.write("date,curve,tenor,price\n"); g.write("curve,returns,unit\n")
    for c, p0 in (("NG", 3.0), ("TTF", 30.0)):
        g.write("%s,log,MWh\n" % c)
        for ten in (0, 1):
            p = p0
            for dd in days:
                p *= np.exp(0.02 * rng.standard_normal())
                f.write("%s,%s,%d,%r\n" % (dd.isoformat(), c, ten, p))
with open("book.csv", "w") as f:
    f.write("trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\n")
    f.write("T1,B1,NG,2026-01-01,2026-01-31,1,10000,800,0\n")
    f.write("T2,B1,TTF,2026-01-01,2026-01-31,0,-500,0,0\n")
    f.write("T3,B2,TTF,2026-01-01,2026-01-31,1,2000,-30,0\n")
PY
}

# a stand-in for full revaluation: the sensitivity P&L bent by a convex
# term and noise (the cube of --full is another branch's)
bend() {
	"$PYORACLE" - "$1" "$2" "$3" <<'PY'
import csv, sys, numpy as np
src, dst, key = sys.argv[1:4]
rng = np.random.default_rng(5)
rows = list(csv.DictReader(open(src)))
with open(dst, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    for r in rows:
        v = float(r["pnl"])
        r["pnl"] = repr(v + 0.002 * v * v + 5 * rng.standard_normal())
        w.writerow(r)
PY
}

@test "pla: reads the cubes qe-var hs --cube writes, CSV and HDF5" {
	make_book
	qe-var hs -q -H history.csv -m markets.csv -s book.csv --window 250 -o /dev/null --cube sens.h5
	qe-var hs -q -H history.csv -m markets.csv -s book.csv --window 250 -o /dev/null --cube sens.csv
	bend sens.csv full.csv
	run_split qe-var pla --full-cube full.csv --sens-cube sens.h5 -o pla.csv
	[ "$status" -le 1 ]
	run pla_oracle full.csv sens.csv pla.csv
	assert_output ok
	run cut -d, -f1-3 pla.csv
	assert_output "$(printf 'asof,portfolio,scenarios\n2026-02-24,total,250\n2026-02-24,B1,250\n2026-02-24,B2,250')"
}

@test "pla --daily: over the days of two series runs" {
	make_book
	qe-var series -q -H history.csv -m markets.csv -s book.csv --days 40 --window 100 --portfolio B1 -o sens.csv
	bend sens.csv full.csv
	run_split qe-var pla --daily --full-series full.csv --sens-series sens.csv --portfolio B1 -o pla.csv
	[ "$status" -le 1 ]
	run pla_oracle full.csv sens.csv pla.csv
	assert_output ok
	run cut -d, -f1-3 pla.csv
	assert_output "$(printf 'asof,portfolio,scenarios\n2026-02-24,B1,40')"
	# another set of days
	sed '2d' sens.csv > short.csv
	run_split qe-var pla --daily --full-series full.csv --sens-series short.csv -o pla.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == "qe-var: full.csv vs short.csv: scenario '"*"' of the full-revaluation cube is not in the sensitivity cube" ]]
}

@test "pla: cubes of other scenarios, portfolios or dates are exit 3; no output written" {
	make_cubes 120 green
	echo previous > pla.csv
	grep -v '2026-01-05' sens.csv > fewer.csv
	run_split qe-var pla --full-cube full.csv --sens-cube fewer.csv -o pla.csv
	[ "$status" -eq 3 ]
	assert_equal "$stderr" "qe-var: full.csv vs fewer.csv: scenario '2026-01-05' of the full-revaluation cube is not in the sensitivity cube"
	grep -v '^A,' sens.csv > nopf.csv
	run_split qe-var pla --full-cube full.csv --sens-cube nopf.csv -o pla.csv
	[ "$status" -eq 3 ]
	assert_equal "$stderr" "qe-var: full.csv vs nopf.csv: portfolio 'A' of the full-revaluation cube is not in the sensitivity cube"
	sed 's/2026-12-04$/2026-12-03/' sens.csv > other.csv
	run_split qe-var pla --full-cube full.csv --sens-cube other.csv -o pla.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"as-of dates differ: 2026-12-04 in the full-revaluation cube, 2026-12-03 in the sensitivity cube"* ]]
	sed '3s/,[^,]*,2026-12-04$/,1e999,2026-12-04/' sens.csv > bad.csv
	run_split qe-var pla --full-cube full.csv --sens-cube bad.csv -o pla.csv
	[ "$status" -eq 3 ]
	one_diagnostic bad.csv 3:3 "number out of range"
	run cat pla.csv
	assert_output previous
	run ls -A
	refute_output --partial .tmp.
}

@test "pla: a constant P&L has no zone; usage errors" {
	printf 'portfolio,scenario,pnl\nA,s1,1\nA,s2,2\nA,s3,3\n' > f.csv
	printf 'portfolio,scenario,pnl\nA,s1,0\nA,s2,0\nA,s3,0\n' > s.csv
	run_split qe-var pla --full-cube f.csv --sens-cube s.csv
	assert_success
	assert_output "$(printf 'asof,portfolio,scenarios,spearman,ks,zone,currency\n,A,3,,1,n/a,')"
	[[ "$stderr" == *"portfolio 'A': a constant P&L has no rank correlation: zone n/a"* ]]
	for args in "--full-cube f.csv" "--sens-cube s.csv" "--daily --full-cube f.csv --sens-cube s.csv" \
		"--daily --full-series f.csv" "--full-cube f.csv --sens-cube s.csv --portfolio A" \
		"--full-cube - --sens-cube -" "--full-cube f.csv --sens-cube s.csv -s x.csv" \
		"--full-cube f.csv --sens-cube s.csv extra"; do
		run_split qe-var pla $args
		[ "$status" -eq 2 ] || fail "$args: status $status"
	done
	run qe-var pla --help
	assert_success
	assert_output --partial "--full-cube FILE"
}

@test "pla with the pricer's inputs: the report of the two-cube route (hs --full, qe-price, hs -s) on the bundled data" {
	A=$(awk -F, 'NR == 2 { print $2; exit }' "$DATA/curves.csv")
	mkt=(-H "$DATA/history.csv" -m "$DATA/markets.csv" --asof "$A" --window 120)
	px=(--trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv"
		--fixings "$DATA/fixings.csv")
	run_split qe-var pla -q "${mkt[@]}" "${px[@]}" -o direct.csv
	[ "$status" -le 1 ]
	# the two-cube route, each step a separate program
	# with -H, as qe-var: Kirk correlations from the history
	qe-price -q --asof "$A" "${px[@]}" --markets "$DATA/markets.csv" -H "$DATA/history.csv" -o /dev/null --sensitivities sens.csv
	qe-var hs -q "${mkt[@]}" -s sens.csv --cube scube.csv -o /dev/null
	qe-var hs -q --full "${mkt[@]}" "${px[@]}" --cube fcube.csv -o /dev/null
	run_split qe-var pla --full-cube fcube.csv --sens-cube scube.csv -o cubes.csv
	[ "$status" -le 1 ]
	run diff direct.csv cubes.csv
	assert_success
	run pla_oracle fcube.csv scube.csv direct.csv
	assert_output ok
	# every portfolio of the book, as of the run's date, over the window
	run awk -F, -v a="$A" 'NR > 1 && ($1 != a || $3 != 120) { print "bad row: " $0 } END { print NR - 1 }' direct.csv
	assert_output "$(( $(cut -d, -f1 fcube.csv | sort -u | wc -l) - 1 ))"
	# the theta term of --horizon enters the sensitivity side only, as in hs -s
	run_split qe-var pla -q "${mkt[@]}" "${px[@]}" --horizon 5 -o h5.csv
	[ "$status" -le 1 ]
	qe-var hs -q "${mkt[@]}" -s sens.csv --horizon 5 --cube scube5.csv -o /dev/null
	qe-var hs -q --full "${mkt[@]}" "${px[@]}" --horizon 5 --cube fcube5.csv -o /dev/null
	run_split qe-var pla --full-cube fcube5.csv --sens-cube scube5.csv -o cubes5.csv
	run diff h5.csv cubes5.csv
	assert_success
	# usage: the pricer's inputs exclude the cubes, and need the book
	for args in "--full-cube fcube.csv" "--daily" "--portfolio total"; do
		run_split qe-var pla "${mkt[@]}" "${px[@]}" $args
		[ "$status" -eq 2 ] || fail "$args: status $status"
	done
	run_split qe-var pla "${mkt[@]}" --curves "$DATA/curves.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"the book's P&L needs -H, -m, --asof, --trades and --curves"* ]]
}
