#!/usr/bin/env bats
# qe-var: VaR/ES measures, backtesting, covariance, HS/parametric/MC, stress.
# Oracles: numpy/scipy under $PYORACLE, textbook closed forms.

load helpers

# random P&L for three portfolios with n scenarios, written by numpy
make_pnl() {
	"$PYORACLE" - "$1" "$2" <<'PY'
import sys, numpy as np
n, seed = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(seed)
with open("pnl.csv", "w") as f:
    f.write("portfolio,scenario,pnl\n")
    for p, scale in (("A", 1.0), ("B, Inc", 1e6), ("C", 1e-3)):
        x = rng.standard_t(4, n) * scale
        for i, v in enumerate(x):
            f.write('%s,s%d,%r\n' % ('"%s"' % p if "," in p else p, i, float(v)))
PY
}

@test "measures: kth and linear VaR/ES equal numpy to the last bit" {
	make_pnl 1000 1
	run_split qe-var measures --alpha 0.95,0.975,0.99 --quantile kth -o kth.csv pnl.csv
	assert_success
	run_split qe-var measures --alpha 0.95,0.975,0.99 --quantile linear pnl.csv
	assert_success
	echo "$output" > lin.csv
	make_pnl 251 2
	qe-var measures -a 0.99,0.95 pnl.csv > kth251.csv
	qe-var measures -a 0.99,0.95 --quantile linear pnl.csv > lin251.csv
	run "$PYORACLE" - <<'PY'
import csv, math, numpy as np
from fractions import Fraction
def check(pnlfile, outfile, qdef):
    data = {}
    for r in csv.DictReader(open(pnlfile)):
        data.setdefault(r["portfolio"], []).append(float(r["pnl"]))
    rows = list(csv.DictReader(open(outfile)))
    assert rows, outfile
    for r in rows:
        L = -np.array(data[r["portfolio"]])
        a = float(r["alpha"]); n = len(L)
        s = np.sort(L)
        if qdef == "kth":
            k = math.ceil(n * (1 - Fraction(r["alpha"])))
            var = s[n - k]; es = s[n - k:].mean()
        else:
            var = np.quantile(L, a); es = s[s >= var].mean()
        assert r["quantile"] == qdef
        assert int(r["scenarios"]) == n
        assert float(r["var"]) == var, (outfile, r, repr(var))
        assert float(r["es"]) == es, (outfile, r, repr(es))
    print("checked", len(rows))
check("pnl.csv", "kth251.csv", "kth"); check("pnl.csv", "lin251.csv", "linear")
PY
	assert_success
	make_pnl 1000 1
	run "$PYORACLE" - <<'PY'
import csv, math, numpy as np
from fractions import Fraction
data = {}
for r in csv.DictReader(open("pnl.csv")):
    data.setdefault(r["portfolio"], []).append(float(r["pnl"]))
for outfile, qdef in (("kth.csv", "kth"), ("lin.csv", "linear")):
    rows = list(csv.DictReader(open(outfile)))
    assert len(rows) == 9
    for r in rows:
        L = -np.array(data[r["portfolio"]]); n = len(L); s = np.sort(L)
        if qdef == "kth":
            k = math.ceil(n * (1 - Fraction(r["alpha"])))
            var, es = s[n - k], s[n - k:].mean()
        else:
            var = np.quantile(L, float(r["alpha"])); es = s[s >= var].mean()
        assert float(r["var"]) == var and float(r["es"]) == es, (outfile, r, var, es)
PY
	assert_success
}

@test "measures: textbook case, 100 scenarios of -1..-100 at 95% and 99%" {
	{ echo portfolio,scenario,pnl; for i in $(seq 1 100); do echo "P,d$i,-$i"; done; } > t.csv
	run_split qe-var measures -a 0.95,0.99 t.csv
	assert_success
	# a cube without an asof column: the as-of date is unknown (empty)
	assert_line --index 1 "P,0.95,kth,100,96,98,"
	assert_line --index 2 "P,0.99,kth,100,100,100,"
	run_split qe-var measures -a 0.95 --quantile linear t.csv
	assert_line --index 1 "P,0.95,linear,100,95.05,98,"
}

@test "measures: too few scenarios, gaps, duplicates, NaN and empty input are refused" {
	{ echo portfolio,scenario,pnl; for i in $(seq 1 50); do echo "P,d$i,$i"; done; } > few.csv
	run_split qe-var measures -a 0.99 -o out.csv few.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"portfolio 'P': 50 scenarios are too few for confidence 0.99 (need at least 100)"* ]]
	assert_file_not_exist out.csv
	printf 'portfolio,scenario,pnl\nA,s1,1\nA,s2,2\nB,s1,3\n' > gap.csv
	run_split qe-var measures -a 0.5 gap.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"portfolio 'B' has no P&L for scenario 's2'"* ]]
	printf 'portfolio,scenario,pnl\nA,s1,1\nA,s1,2\n' > dup.csv
	run_split qe-var measures -a 0.5 dup.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"dup.csv:3: duplicate P&L for portfolio 'A' scenario 's1'"* ]]
	printf 'portfolio,scenario,pnl\nA,s1,1\nA,s2,nan\n' > nan.csv
	run_split qe-var measures -a 0.5 nan.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"nan.csv:3:"*"column 'pnl'"*"nan"* ]]
	printf 'portfolio,scenario\nA,s1\n' > miss.csv
	run_split qe-var measures miss.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"pnl"* ]]
	: > empty.csv
	run_split qe-var measures empty.csv
	[ "$status" -eq 3 ]
	printf 'portfolio,scenario,pnl\n' > hdr.csv
	run_split qe-var measures hdr.csv
	[ "$status" -eq 3 ]
	run_split qe-var measures -a 1.5 hdr.csv
	[ "$status" -eq 2 ]
	run_split qe-var measures --quantile median hdr.csv
	[ "$status" -eq 2 ]
	run_split qe-var measures no-such-file.csv
	[ "$status" -eq 4 ]
}

@test "measures: reads stdin, huge values, /dev/full is exit 4 and -o keeps the old file" {
	printf 'portfolio,scenario,pnl\nA,s1,-1e300\nA,s2,1e300\nA,s3,0\nA,s4,5\n' > big.csv
	run_split qe-var measures -a 0.5 - < big.csv
	assert_success
	assert_line --index 1 "A,0.5,kth,4,0,5e+299,"
	echo old > keep.csv
	run_split qe-var measures -a 0.99 -o keep.csv big.csv
	[ "$status" -eq 3 ]
	assert_equal "$(cat keep.csv)" old
	run bash -c "qe-var measures -a 0.5 big.csv > /dev/full"
	[ "$status" -eq 4 ]
}

# a series with exceptions at given 1-based days
make_series() {
	n=$1; shift
	"$PYORACLE" - "$n" "$@" > series.csv <<'PY'
import sys, datetime
n = int(sys.argv[1]); exc = set(int(x) for x in sys.argv[2:])
d = datetime.date(2025, 1, 1)
print("date,var,pnl")
for i in range(1, n + 1):
    print("%s,10,%s" % (d.isoformat(), "-12.5" if i in exc else "3"))
    d += datetime.timedelta(days=1)
PY
}

@test "backtest: statistics match scipy's chi-square to 1e-10 and zones follow Basel" {
	make_series 250 3 50 51 120 200 201 202
	run_split qe-var backtest -a 0.99 series.csv
	echo "$output" > bt.csv
	[ "$status" -eq 1 ]
	run "$PYORACLE" - <<'PY'
import csv, math
from scipy.stats import chi2
r = next(csv.DictReader(open("bt.csv")))
n, x, p = 250, 7, 0.01
exc = [0]*250
for d in (3, 50, 51, 120, 200, 201, 202): exc[d-1] = 1
def ll(s, m, q): return (m-s)*math.log(1-q) + (s*math.log(q) if s else 0)
pof = -2*ll(x, n, p) + 2*ll(x, n, x/n)
t = {(a, b): 0 for a in (0, 1) for b in (0, 1)}
for a, b in zip(exc, exc[1:]): t[a, b] += 1
p0 = t[0,1]/(t[0,0]+t[0,1]); p1 = t[1,1]/(t[1,0]+t[1,1]); pi = (t[0,1]+t[1,1])/249
l0 = (t[0,0]+t[1,0])*math.log(1-pi) + (t[0,1]+t[1,1])*math.log(pi)
l1 = t[0,0]*math.log(1-p0) + t[0,1]*math.log(p0) + t[1,0]*math.log(1-p1) + t[1,1]*math.log(p1)
ind = -2*l0 + 2*l1
want = dict(kupiec_lr=pof, kupiec_p=chi2.sf(pof, 1), ind_lr=ind, ind_p=chi2.sf(ind, 1),
            cc_lr=pof+ind, cc_p=chi2.sf(pof+ind, 2))
for k, v in want.items():
    assert abs(float(r[k]) - v) <= 1e-10 * max(1, abs(v)), (k, r[k], v)
assert r["observations"] == "250" and r["exceptions"] == "7" and r["zone"] == "yellow", r
assert r["result"] == "reject", r
PY
	assert_success
	for x in 0 4 5 9 10; do
		days=$(seq 1 $((x * 20)) | awk 'NR % 20 == 0' | tr '\n' ' ')
		make_series 250 $days
		run_split qe-var backtest -a 0.99 --significance 1e-9 series.csv
		zone=$(echo "$output" | tail -1 | cut -d, -f11)
		case $x in 0|4) want=green ;; 5|9) want=yellow ;; 10) want=red ;; esac
		[ "$zone" = "$want" ] || fail "$x exceptions: zone $zone, want $want"
		if [ "$want" = red ]; then [ "$status" -eq 1 ]; else [ "$status" -eq 0 ]; fi
	done
}

@test "backtest: 2 exceptions in 250 days at 99% is accepted with exit 0" {
	make_series 250 10 100
	run_split qe-var backtest series.csv
	assert_success
	assert_line --index 0 "observations,exceptions,expected,alpha,kupiec_lr,kupiec_p,ind_lr,ind_p,cc_lr,cc_p,zone,result,asof"
	# as of the last day of the series
	[[ "${lines[1]}" == 250,2,2.5,0.99,*,green,accept,2025-09-07 ]]
}

@test "backtest: fewer than 250 observations warn and mark the zone n/a, not a traffic-light colour" {
	make_series 249 10 20 30 40 50 60 70 80 90 100 110
	run_split qe-var backtest -q series.csv
	[ "$status" -eq 1 ]   # 11 exceptions: Kupiec still rejects
	[ "$stderr" = "qe-var: warning: series.csv: 249 observations; the traffic-light zone needs 250: zone n/a (not meaningful)" ]
	[[ "${lines[1]}" == 249,11,*,n/a,reject* ]] || fail "${lines[1]}"
	make_series 100 50
	run_split qe-var backtest -o bt.csv series.csv
	assert_success
	[[ "$stderr" == *"100 observations; the traffic-light zone needs 250"* ]]
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["zone"] }' bt.csv)" = "n/a" ]
	cat series.csv | qe-var backtest > /dev/null 2> err.txt
	grep -q "warning: <stdin>: 100 observations" err.txt
	# 250 observations: a zone, and no warning
	make_series 250 50
	run_split qe-var backtest series.csv
	assert_success
	[ -z "$stderr" ]
	[[ "${lines[1]}" == 250,1,*,green,accept* ]] || fail "${lines[1]}"
}

@test "backtest: bad dates, unordered dates, NaN and too short series are refused" {
	printf 'date,var,pnl\n2025-01-01,1,2\n2025-02-30,1,2\n' > bad.csv
	run_split qe-var backtest bad.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"bad.csv:3:1: column 'date'"* ]]
	printf 'date,var,pnl\n2025-01-02,1,2\n2025-01-01,1,2\n' > order.csv
	run_split qe-var backtest order.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"order.csv:3:1: column 'date': date not after the previous row"* ]]
	printf 'date,var,pnl\n2025-01-01,inf,2\n2025-01-02,1,2\n' > inf.csv
	run_split qe-var backtest -o out.csv inf.csv
	[ "$status" -eq 3 ]
	assert_file_not_exist out.csv
	printf 'date,var,pnl\n2025-01-01,1,2\n' > one.csv
	run_split qe-var backtest one.csv
	[ "$status" -eq 3 ]
	printf 'date,pnl\n2025-01-01,1\n' > nocol.csv
	run_split qe-var backtest nocol.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"var"* ]]
}

# history.csv (3 curves x 3 tenors, 400 business days; DE is abs), markets.csv
# and sens.csv with two books, one gamma, one tenor beyond 12 (mapped to 12)
make_market() {
	"$PYORACLE" - "${1:-400}" <<'PY'
import sys, numpy as np, datetime
T = int(sys.argv[1])
rng = np.random.default_rng(7)
curves = [("NG", 3.0, "log"), ("DE", 80.0, "abs"), ("TTF", 30.0, "log")]
days, d = [], datetime.date(2024, 1, 1)
while len(days) < T:
    if d.weekday() < 5: days.append(d)
    d += datetime.timedelta(days=1)
C = np.array([[1, .6, .3], [.6, 1, .5], [.3, .5, 1]])
L = np.linalg.cholesky(np.kron(C, np.full((1, 1), 1.0)))
with open("history.csv", "w") as f, open("markets.csv", "w") as g:
    f.write("date,curve,tenor,price\n"); g.write("curve,returns,unit\n")
    for c, p0, k in curves: g.write("%s,%s,MWh\n" % (c, k))
    for ten in (0, 1, 12):
        p = [p0 * (1 + 0.05 * ten) for c, p0, k in curves]
        for dd in days:
            z = L @ rng.standard_normal(3)
            for i, (c, p0, k) in enumerate(curves):
                if k == "log": p[i] *= np.exp(0.02 * z[i])
                else: p[i] += 2.0 * z[i]
                f.write("%s,%s,%d,%r\n" % (dd.isoformat(), c, ten, p[i]))
with open("sens.csv", "w") as f:
    f.write("trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\n")
    f.write("T1,B1,NG,2027-01-01,2027-01-31,1,10000,0,0\n")
    f.write("T2,B1,DE,2027-01-01,2027-01-31,0,-500,0,0\n")
    f.write("T3,B2,TTF,2027-01-01,2027-01-31,0,2000,0,0\n")
    f.write("T4,B2,NG,2027-01-01,2027-01-31,15,-3000,0,0\n")
    f.write("T5,B2,TTF,2027-01-01,2027-01-31,12,700,0,0\n")
PY
}

# oracle helpers for the engine tests, in numpy
@test "inputs: a 1 MB malformed line or field in history, markets, sensitivities, P&L or series is one error at file:2:1; gzip reads the same" {
	make_market 300
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 250 -o plain.csv
	for k in history markets sens; do
		long_lines "$k.csv" "$k"
		for v in bad long; do
			H=history.csv M=markets.csv S=sens.csv
			case $k in history) H=$k.$v.csv ;; markets) M=$k.$v.csv ;; sens) S=$k.$v.csv ;; esac
			run_split qe-var hs -H "$H" -m "$M" -s "$S" --window 250 -o never.csv
			[ "$status" -eq 3 ] || fail "$k.$v.csv: exit $status: ${stderr:0:500}"
			want="malformed CSV record (bad quoting)"
			[ "$v" = long ] && want="field longer than 65536 bytes"
			one_diagnostic "$k.$v.csv" 2:1 "$want"
			[ ! -e never.csv ]
		done
		gzip -c "$k.csv" > "$k.csv.gz"
	done
	qe-var hs -q -H history.csv.gz -m markets.csv.gz -s sens.csv.gz --window 250 -o gz.csv
	cmp plain.csv gz.csv
	# the P&L cube of measures and the series of backtest
	make_pnl 300 1
	make_series 250 3 50
	for k in pnl series; do
		long_lines "$k.csv" "$k"
		for v in bad long; do
			if [ "$k" = pnl ]; then
				run_split qe-var measures -a 0.99 -o never.csv "$k.$v.csv"
			else
				run_split qe-var backtest -a 0.99 -o never.csv "$k.$v.csv"
			fi
			[ "$status" -eq 3 ] || fail "$k.$v.csv: exit $status: ${stderr:0:500}"
			want="malformed CSV record (bad quoting)"
			[ "$v" = long ] && want="field longer than 65536 bytes"
			one_diagnostic "$k.$v.csv" 2:1 "$want"
			[ ! -e never.csv ]
		done
	done
}

oracle_lib() {
	cat <<'PY'
import csv, math, numpy as np
from scipy.stats import norm
def load():
    rows = list(csv.DictReader(open("history.csv")))
    kind = {r["curve"]: r["returns"] for r in csv.DictReader(open("markets.csv"))}
    dates = sorted({r["date"] for r in rows}); di = {d: i for i, d in enumerate(dates)}
    fac = []
    for r in rows:
        k = "%s:%s" % (r["curve"], r["tenor"])
        if k not in fac: fac.append(k)
    P = np.full((len(dates), len(fac)), np.nan)
    for r in rows: P[di[r["date"]], fac.index("%s:%s" % (r["curve"], r["tenor"]))] = float(r["price"])
    isabs = np.array([kind[f.split(":")[0]] == "abs" for f in fac])
    return dates, fac, P, isabs
def returns(P, isabs, h=1):
    R = np.where(isabs, P[h:] - P[:-h], np.log(P[h:] / P[:-h]))
    return R
def books():
    d = {}
    for r in csv.DictReader(open("sens.csv")):
        t = min(int(r["tenor"]), 12)
        for b in ("total", r["book"]):
            d.setdefault(b, {}).setdefault("%s:%d" % (r["curve"], t), [0.0, 0.0])
            d[b]["%s:%d" % (r["curve"], t)][0] += float(r["delta"])
            d[b]["%s:%d" % (r["curve"], t)][1] += float(r.get("gamma") or 0)
    return d
def vec(book, fac, j):
    return np.array([book.get(f, [0, 0])[j] for f in fac])
def results(path):
    return {(r["portfolio"], r["alpha"]): r for r in csv.DictReader(open(path))}
def close(a, b, tol):
    assert abs(a - b) <= tol * max(1.0, abs(b)), (a, b)
PY
}

@test "hs: VaR/ES of the P&L of today's book on each scenario equal numpy's" {
	make_market
	run_split qe-var hs -H history.csv -m markets.csv -s sens.csv -a 0.95,0.99 --window 250 -o hs.csv --cube cube.csv
	assert_success
	[[ "$stderr" == *"sens.csv: 1 rows with a tenor beyond the history's longest of their curve mapped to it"* ]]
	qe-var measures -a 0.95,0.99 cube.csv > m.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
R = returns(P, isabs)[-250:]
F = P[-1]
dF = np.where(isabs, R, F * np.expm1(R))
out = results("hs.csv"); again = results("m.csv")
for name, b in books().items():
    pnl = dF @ vec(b, fac, 0)
    for a in ("0.95", "0.99"):
        L = np.sort(-pnl); k = math.ceil(250 * (1 - float(a)) - 1e-9)
        r = out[name, a]
        assert r["method"] == "hs" and r["horizon"] == "1d" and r["scenarios"] == "250", r
        close(float(r["var"]), L[250 - k], 1e-9); close(float(r["es"]), L[250 - k:].mean(), 1e-9)
        assert again[name, a]["var"] == r["var"] and again[name, a]["es"] == r["es"]
print("ok")
PY
	assert_success
}

@test "hs: overlapping 10-day, sqrt-scaled, BRW and filtered variants follow their definitions" {
	make_market
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --by none --horizon 10 --window 200 > h10.csv
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --by none --horizon 10 --sqrt-scale --window 200 > s10.csv
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --by none --brw 0.98 --window 300 > brw.csv
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --by none --fhs 0.94 --window 250 > fhs.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
F = P[-1]; d = vec(books()["total"], fac, 0)
def kth(pnl, a=0.99):
    L = np.sort(-pnl); n = len(L); k = math.ceil(n * (1 - a) - 1e-9); return L[n - k], L[n - k:].mean()
for path, R, hz in (("h10.csv", returns(P, isabs, 10)[-200:], "10d"),
                    ("s10.csv", returns(P, isabs)[-200:] * math.sqrt(10), "10d-sqrt")):
    r = results(path)["total", "0.99"]; assert r["horizon"] == hz, r
    v, e = kth(np.where(isabs, R, F * np.expm1(R)) @ d)
    close(float(r["var"]), v, 1e-9); close(float(r["es"]), e, 1e-9)
# BRW: weights lam^age, VaR where the cumulated weight of the worst losses reaches 1%
R = returns(P, isabs)[-300:]; pnl = np.where(isabs, R, F * np.expm1(R)) @ d
lam = 0.98; w = lam ** np.arange(299, -1, -1.0); w /= w.sum()
o = np.argsort(pnl); cw = np.cumsum(w[o]); i = np.searchsorted(cw, 0.01 * (1 - 1e-12))
take = w[o][:i].tolist() + [0.01 - cw[i - 1] if i else 0.01]
es = -np.dot(pnl[o][:i + 1], take) / sum(take)
r = results("brw.csv")["total", "0.99"]; assert r["method"] == "hs-brw"
close(float(r["var"]), -pnl[o][i], 1e-9); close(float(r["es"]), es, 1e-9)
# Hull-White: r_t * sigma_today / sigma_t, EWMA seeded by the first 20 squares
Rall = returns(P, isabs); n = len(Rall); S = np.empty_like(Rall)
v = (Rall[:20] ** 2).mean(axis=0)
for t in range(n):
    S[t] = np.sqrt(v); v = 0.94 * v + 0.06 * Rall[t] ** 2
Rf = (Rall * np.sqrt(v) / S)[-250:]
vv, ee = kth(np.where(isabs, Rf, F * np.expm1(Rf)) @ d)
r = results("fhs.csv")["total", "0.99"]; assert r["method"] == "fhs"
close(float(r["var"]), vv, 1e-9); close(float(r["es"]), ee, 1e-9)
print("ok")
PY
	assert_success
}

@test "cov: sample, EWMA and Ledoit-Wolf match numpy; price-change units; HDF5 opens in h5py" {
	make_market
	qe-var cov -H history.csv -m markets.csv --window 250 > sample.csv
	qe-var cov -H history.csv -m markets.csv --window 250 --returns > sample_r.csv
	qe-var cov -H history.csv -m markets.csv --window 250 --returns --cov ewma --lambda 0.97 > ewma.csv
	qe-var cov -q -H history.csv -m markets.csv --window all --returns --cov lw > lw.csv
	run_split qe-var cov -H history.csv -m markets.csv --cov lw --format hdf5 -o cov.h5
	assert_success
	[[ "$stderr" == *"Ledoit-Wolf shrinkage intensity"* ]]
	run "$PYORACLE" - <<PY
$(oracle_lib)
import h5py
dates, fac, P, isabs = load()
def mat(path):
    rows = list(csv.DictReader(open(path)))
    assert len(rows) == len(fac) ** 2
    M = np.zeros((len(fac), len(fac)))
    for r in rows: M[fac.index(r["factor1"]), fac.index(r["factor2"])] = float(r["cov"])
    return M
R = returns(P, isabs)[-250:]
S = np.cov(R, rowvar=False); s = np.where(isabs, 1.0, P[-1])
np.testing.assert_allclose(mat("sample_r.csv"), S, rtol=1e-10, atol=1e-18)
np.testing.assert_allclose(mat("sample.csv"), S * np.outer(s, s), rtol=1e-10, atol=1e-12)
w = 0.97 ** np.arange(249, -1, -1.0); w /= w.sum()
np.testing.assert_allclose(mat("ewma.csv"), (R * w[:, None]).T @ R, rtol=1e-10, atol=1e-18)
# Ledoit & Wolf (2004), written from the paper, on the standardized returns
# (sd with n - 1): the shrunk correlation scaled back by each factor's sd
X = returns(P, isabs); n, m = X.shape; sd = X.std(axis=0, ddof=1)
Z = (X - X.mean(axis=0)) / sd; S = Z.T @ Z / n
mu = np.trace(S) / m; d2 = np.sum((S - mu * np.eye(m)) ** 2) / m
b2 = sum(np.sum((np.outer(z, z) - S) ** 2) for z in Z) / n ** 2 / m
b2 = min(b2, d2); rho = b2 / d2
C = (rho * mu * np.eye(m) + (1 - rho) * S) * n / (n - 1)
np.testing.assert_allclose(mat("lw.csv"), C * np.outer(sd, sd), rtol=1e-9, atol=1e-18)
with h5py.File("cov.h5") as h:
    g = h["cov"]
    assert [x.decode() if isinstance(x, bytes) else x for x in g["factor1"][:3]] == [fac[0]] * 3
    assert g["cov"].shape == (len(fac) ** 2,)
print("ok")
PY
	assert_success
}

@test "cov: Ledoit-Wolf shrinks the correlation of standardized returns (sklearn to 1e-10), never a variance" {
	# NG near 3 (log), DE near 80 (absolute changes), TTF near 30 (log)
	make_market
	run_split qe-var cov -H history.csv -m markets.csv --window all --returns --cov lw -o lw_r.csv
	assert_success
	echo "$stderr" > note.txt
	qe-var cov -q -H history.csv -m markets.csv --window all --cov lw -o lw.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
import re
from sklearn.covariance import LedoitWolf
dates, fac, P, isabs = load()
def mat(path):
    M = np.zeros((len(fac), len(fac)))
    for r in csv.DictReader(open(path)): M[fac.index(r["factor1"]), fac.index(r["factor2"])] = float(r["cov"])
    return M
X = returns(P, isabs); n, m = X.shape
sd = X.std(axis=0, ddof=1); Z = (X - X.mean(axis=0)) / sd
lw = LedoitWolf().fit(Z)   # centres again (a no-op) and uses the /n covariance
s = float(re.search(r"shrinkage intensity (\\S+)", open("note.txt").read()).group(1))
assert abs(s - lw.shrinkage_) <= 1e-10, (s, lw.shrinkage_)
assert 0 < s < 1, s
# sklearn's /n covariance of Z has diagonal (n-1)/n: times n/(n-1) it is a correlation
R = lw.covariance_ * n / (n - 1)
assert np.abs(np.diag(R) - 1).max() < 1e-12
M = mat("lw_r.csv"); dm = np.sqrt(np.diag(M))
assert np.abs(M / np.outer(dm, dm) - R).max() <= 1e-10, np.abs(M / np.outer(dm, dm) - R).max()
np.testing.assert_allclose(dm, sd, rtol=1e-12)
# price changes: each variance is the sample one (numpy.cov, n - 1) exactly as
# the sample estimator gives it; covariances are the sample ones times 1 - s
f = np.where(isabs, 1.0, P[-1]); Sp = np.cov(X, rowvar=False) * np.outer(f, f)
L = mat("lw.csv"); off = ~np.eye(m, dtype=bool)
assert (L == L.T).all() and (M == M.T).all()   # readers compare both orders bit for bit
np.testing.assert_allclose(np.diag(L), np.diag(Sp), rtol=1e-12)
np.testing.assert_allclose(L[off], (1 - s) * Sp[off], rtol=1e-9)
assert (np.abs(L[off]) <= np.abs(Sp[off])).all()
print("ok")
PY
	assert_success
}

@test "bundled data: cov --cov lw keeps the sample variances; param --cov lw is of the order of the sample VaR" {
	bundled_sens
	M="-H $DATA/history.csv -m $DATA/markets.csv -q"
	qe-var cov $M -o sample.csv
	qe-var cov $M --cov lw -o lw.csv
	qe-var cov $M --cov ewma -o ewma.csv
	qe-var param $M -s sens.csv --by none -o p_sample.csv
	qe-var param $M -s sens.csv --by none --cov lw -o p_lw.csv
	run "$PYORACLE" - <<'PY'
import csv
def cov(path):
    return {(r["factor1"], r["factor2"]): float(r["cov"]) for r in csv.DictReader(open(path))}
S, L, E = cov("sample.csv"), cov("lw.csv"), cov("ewma.csv")
assert S.keys() == L.keys()
for (a, b), v in S.items():
    if a == b:
        assert abs(L[a, b] - v) <= 1e-12 * v, (a, L[a, b], v)
    else:
        assert abs(L[a, b]) <= abs(v), (a, b, L[a, b], v)
# the issue's figure: CL_WTI:0 variance of the order of sample and EWMA, not 2000 times it
assert 0.5 < L["CL_WTI:0", "CL_WTI:0"] / E["CL_WTI:0", "CL_WTI:0"] < 2
def var(path):
    return {(r["portfolio"], r["currency"], r["alpha"]): float(r["var"]) for r in csv.DictReader(open(path))}
vs, vl = var("p_sample.csv"), var("p_lw.csv")
assert vs.keys() == vl.keys() and vs
for k in vs:
    # shrinking correlations towards 0 moves the VaR, but never by orders of magnitude
    assert 0.5 < vl[k] / vs[k] < 2, (k, vl[k], vs[k])
print("ok")
PY
	assert_success
}

@test "param: delta-normal equals z sqrt(d'Sd); Cornish-Fisher matches its closed form" {
	make_market
	printf 'trade_id,book,curve,tenor,delta,gamma\nA,B1,NG,0,20000,30000\nB,B1,TTF,1,-1000,-400\nC,B2,DE,12,300,2\n' > gsens.csv
	qe-var param -H history.csv -m markets.csv -s sens.csv -a 0.975,0.99 > dn.csv
	qe-var param -H history.csv -m markets.csv -s gsens.csv -a 0.99 --cornish-fisher --cov ewma > cf.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
s = np.where(isabs, 1.0, P[-1])
S = np.cov(returns(P, isabs)[-250:], rowvar=False) * np.outer(s, s)
out = results("dn.csv")
for name, b in books().items():
    d = vec(b, fac, 0); sd = math.sqrt(d @ S @ d)
    for a in ("0.975", "0.99"):
        z = norm.ppf(float(a)); r = out[name, a]
        assert r["method"] == "delta-normal"
        close(float(r["var"]), z * sd, 1e-12); close(float(r["es"]), sd * norm.pdf(z) / (1 - float(a)), 1e-12)
# delta-gamma: moments of d'x + x'Gx/2 for x ~ N(0, S) by the textbook formulas
R = returns(P, isabs)[-250:]; w = 0.94 ** np.arange(249, -1, -1.0); w /= w.sum()
S = ((R * w[:, None]).T @ R) * np.outer(s, s)
import csv as _c
sens = {}
for r in _c.DictReader(open("gsens.csv")):
    for b in ("total", r["book"]):
        k = "%s:%s" % (r["curve"], r["tenor"]); e = sens.setdefault(b, {}).setdefault(k, [0, 0])
        e[0] += float(r["delta"]); e[1] += float(r["gamma"])
out = results("cf.csv")
for name, b in sens.items():
    d, g = vec(b, fac, 0), vec(b, fac, 1); GS = np.diag(g) @ S
    mu = 0.5 * np.trace(GS); var = d @ S @ d + 0.5 * np.trace(GS @ GS)
    k3 = 3 * d @ S @ np.diag(g) @ S @ d + np.trace(GS @ GS @ GS)
    k4 = 12 * d @ S @ np.diag(g) @ S @ np.diag(g) @ S @ d + 3 * np.trace(GS @ GS @ GS @ GS)
    sk, ku = k3 / var ** 1.5, k4 / var ** 2; z = norm.ppf(0.01)
    zc = z + (z*z - 1) * sk / 6 + (z**3 - 3*z) * ku / 24 - (2*z**3 - 5*z) * sk**2 / 36
    r = out[name, "0.99"]; assert r["method"] == "cornish-fisher"
    close(float(r["var"]), -(mu + math.sqrt(var) * zc), 1e-9)
    # ES: tail mean of the expansion, integrated numerically
    u = (np.arange(200000) + 0.5) / 200000 * 0.01; zz = norm.ppf(u)
    wq = zz + (zz*zz - 1) * sk / 6 + (zz**3 - 3*zz) * ku / 24 - (2*zz**3 - 5*zz) * sk**2 / 36
    close(float(r["es"]), -(mu + math.sqrt(var) * wq.mean()), 1e-6)
print("ok")
PY
	assert_success
}

@test "components: group and factor components add up to the total VaR" {
	make_market
	qe-var components -H history.csv -m markets.csv -s sens.csv -a 0.95,0.99 > comp.csv
	qe-var param -H history.csv -m markets.csv -s sens.csv -a 0.95,0.99 > dn.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
rows = list(csv.DictReader(open("comp.csv"))); tot = results("dn.csv")
for a in ("0.95", "0.99"):
    for lvl in ("group", "factor"):
        rs = [r for r in rows if r["alpha"] == a and r["level"] == lvl]
        assert rs
        close(sum(float(r["component"]) for r in rs), float(tot["total", a]["var"]), 1e-12)
        close(float(rs[0]["var"]), float(tot["total", a]["var"]), 1e-12)
# incremental of B1 = VaR(total) - VaR(B2 alone)
r = [r for r in rows if r["alpha"] == "0.99" and r["name"] == "B1"][0]
close(float(r["incremental"]), float(tot["total", "0.99"]["var"]) - float(tot["B2", "0.99"]["var"]), 1e-9)
print("ok")
PY
	assert_success
}

@test "total: a book named total (or two books one label) is refused with file:line:column, not added twice" {
	make_market
	# two books with identical positions, one of them named like the total
	hdr=trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega
	printf '%s\nT1,B,NG,2027-01-01,2027-01-31,1,10000,0,0\nT2,total,NG,2027-01-01,2027-01-31,1,10000,0,0\n' "$hdr" > tot.csv
	for c in hs param components stress; do
		extra=; [ "$c" = stress ] && extra="--worst"
		run_split qe-var $c -H history.csv -m markets.csv -s tot.csv $extra -o out.csv
		[ "$status" -eq 3 ] || fail "$c: status $status: $output"
		[[ "$stderr" == *"tot.csv:3:2: column 'book': 'total' is reserved"* ]] || fail "$c: $stderr"
		assert_file_not_exist out.csv
	done
	run_split qe-var series -H history.csv -m markets.csv -s tot.csv --days 50 --window 100
	[ "$status" -eq 3 ]
	# the per-currency label of the total is reserved too
	sed 's/,total,/,total\/USD,/' tot.csv > slash.csv
	run_split qe-var hs -H history.csv -m markets.csv -s slash.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"slash.csv:3:2: column 'book': 'total/USD' is reserved"* ]]
	# --by a column of the curve master whose value is the total's name
	{ echo curve,returns,unit,commodity; echo NG,log,MWh,total; echo DE,abs,MWh,power; echo TTF,log,MWh,gas; } > mk.csv
	run_split qe-var hs -H history.csv -m mk.csv -s sens.csv --by commodity
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"sens.csv:2:3: column 'curve': commodity of curve 'NG' in mk.csv is 'total', reserved"* ]]
	run_split qe-var hs -H history.csv -m mk.csv -s sens.csv --by none
	assert_success
	# nor may two groups share a label: "a" split by currency is "a/USD"
	{ echo curve,returns,unit,currency; echo NG,log,MWh,USD; echo DE,abs,MWh,EUR; echo TTF,log,MWh,EUR; } > ccy.csv
	printf '%s\nT1,a,NG,2027-01-01,2027-01-31,1,10,0,0\nT2,a,TTF,2027-01-01,2027-01-31,0,10,0,0\nT3,a/USD,NG,2027-01-01,2027-01-31,1,5,0,0\n' "$hdr" > lab.csv
	for c in hs stress; do
		extra=; [ "$c" = stress ] && extra="--worst"
		run_split qe-var $c -H history.csv -m ccy.csv -s lab.csv $extra -o out.csv --quiet
		[ "$status" -eq 3 ] || fail "$c: status $status: $output"
		[[ "$stderr" == *"lab.csv:4:2: column 'book': book 'a/USD' (USD) and book 'a' (USD) are both labelled 'a/USD'"* ]] || fail "$c: $stderr"
		assert_file_not_exist out.csv
	done
	# renamed, the total holds each row once: twice the P&L of B, as numpy
	sed 's/,total,/,Total,/' tot.csv > ok.csv
	run_split qe-var hs -q -H history.csv -m markets.csv -s ok.csv -a 0.95,0.99 --window 250 -o hs.csv
	assert_success
	run_split qe-var param -q -H history.csv -m markets.csv -s ok.csv -a 0.99 --window 250 -o dn.csv
	assert_success
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
R = returns(P, isabs)[-250:]; F = P[-1]
dF = np.where(isabs, R, F * np.expm1(R))
pnl = dF[:, fac.index("NG:1")] * 20000.0   # B and Total, 10000 each on NG:1
out = results("hs.csv")
assert sorted({n for n, a in out}) == ["B", "Total", "total"], out.keys()
for a in ("0.95", "0.99"):
    L = np.sort(-pnl); j = math.ceil(250 * (1 - float(a)) - 1e-9)
    close(float(out["total", a]["var"]), L[250 - j], 1e-12)
    close(float(out["total", a]["es"]), L[250 - j:].mean(), 1e-12)
    close(float(out["total", a]["var"]), 2 * float(out["B", a]["var"]), 1e-12)
    assert out["B", a]["var"] == out["Total", a]["var"]
# delta-normal: z sigma, sigma = delta F sd(returns) with the sample sd
dn = results("dn.csv"); k = fac.index("NG:1")
close(float(dn["total", "0.99"]["var"]), norm.ppf(0.99) * 20000.0 * F[k] * np.std(R[:, k], ddof=1), 1e-12)
close(float(dn["total", "0.99"]["var"]), 2 * float(dn["B", "0.99"]["var"]), 1e-12)
print("ok")
PY
	assert_success
}

@test "mc: linear book converges to the parametric VaR within 3 standard errors; t shocks fatten the tail" {
	make_market
	qe-var param -H history.csv -m markets.csv -s sens.csv --by none > dn.csv
	qe-var mc -H history.csv -m markets.csv -s sens.csv --by none --paths 200000 --seed 11 > mc.csv
	qe-var mc -H history.csv -m markets.csv -s sens.csv --by none --paths 200000 --seed 11 --dist t --df 4 > mct.csv
	run "$PYORACLE" - <<'PY'
import csv, math
from scipy.stats import norm
p = next(csv.DictReader(open("dn.csv"))); m = next(csv.DictReader(open("mc.csv")))
t = next(csv.DictReader(open("mct.csv")))
assert m["method"] == "mc-normal" and m["scenarios"] == "200000" and t["method"] == "mc-t"
sd = float(p["var"]) / norm.ppf(0.99)
# standard error of the 99% sample quantile: sqrt(a (1 - a) / N) / density
se = math.sqrt(0.99 * 0.01 / 200000) / (norm.pdf(norm.ppf(0.99)) / sd)
assert abs(float(m["var"]) - float(p["var"])) < 3 * se, (m["var"], p["var"], se)
assert float(t["es"]) > float(m["es"])
print("ok")
PY
	assert_success
}

@test "mc: --seed gives byte-identical output for any OMP_NUM_THREADS; seeds differ" {
	make_market
	OMP_NUM_THREADS=1 qe-var mc -H history.csv -m markets.csv -s sens.csv --paths 50000 --seed 3 --cube c1.csv > a1.csv
	OMP_NUM_THREADS=2 qe-var mc -H history.csv -m markets.csv -s sens.csv --paths 50000 --seed 3 --cube c2.csv > a2.csv
	OMP_NUM_THREADS=2 qe-var mc -H history.csv -m markets.csv -s sens.csv --paths 50000 --seed 3 --dist t > t2.csv
	OMP_NUM_THREADS=1 qe-var mc -H history.csv -m markets.csv -s sens.csv --paths 50000 --seed 3 --dist t > t1.csv
	qe-var mc -H history.csv -m markets.csv -s sens.csv --paths 50000 --seed 4 > b.csv
	cmp a1.csv a2.csv
	cmp c1.csv c2.csv
	cmp t1.csv t2.csv
	! cmp -s a1.csv b.csv
}

@test "bad input: NaN price, factor without history, short window, bad sens, nothing half-written" {
	make_market 150
	sed '5s/,[^,]*$/,nan/' history.csv > nan.csv
	run_split qe-var hs -H nan.csv -m markets.csv -s sens.csv -o out.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"nan.csv:5:"*"column 'price'"* ]]
	assert_file_not_exist out.csv
	printf 'trade_id,book,curve,tenor,delta\nX,B,COAL,3,100\n' > nohist.csv
	run_split qe-var param -H history.csv -m markets.csv -s nohist.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"nohist.csv:2: risk factor 'COAL:3' has no price history"* ]]
	run_split qe-var hs -H history.csv -m markets.csv -s sens.csv --window 50
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"50 scenarios are too few for confidence 0.99"* ]]
	printf 'trade_id,book,curve,tenor,delta\nX,B,NG,abc,100\n' > badsens.csv
	run_split qe-var hs -H history.csv -s badsens.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"badsens.csv:2:4: column 'tenor'"* ]]
	printf 'trade_id,book,curve,tenor\nX,B,NG,1\n' > nodelta.csv
	run_split qe-var hs -H history.csv -s nodelta.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"delta"* ]]
	printf 'date,curve,tenor,price\n' > empty.csv
	run_split qe-var cov -H empty.csv
	[ "$status" -eq 3 ]
	run_split qe-var hs -s sens.csv
	[ "$status" -eq 2 ]
	run_split qe-var hs -H history.csv -m markets.csv -s sens.csv --window 100 -a 0.95 --quantile bogus
	[ "$status" -eq 2 ]
	run bash -c "qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 100 -a 0.95 > /dev/full"
	[ "$status" -eq 4 ]
	run_split qe-var frobnicate
	[ "$status" -eq 2 ]
}

@test "gaps: ffill reports, drop drops, error names the factor and date; log of a negative price is refused" {
	make_market 150
	grep -v '^2024-03-05,TTF,0,' history.csv > gap.csv
	run_split qe-var hs -H gap.csv -m markets.csv -s sens.csv --window 100 -a 0.95 --by none
	assert_success
	[[ "$stderr" == *"history: 1 missing prices filled forward (first: TTF:0 on 2024-03-05)"* ]]
	run_split qe-var hs -H gap.csv -m markets.csv -s sens.csv --window 100 -a 0.95 --by none --gaps drop
	assert_success
	[[ "$stderr" == *"history: 1 dates dropped for missing prices (first: TTF:0 on 2024-03-05)"* ]]
	run_split qe-var hs -H gap.csv -m markets.csv -s sens.csv --window 100 -a 0.95 --gaps error
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no price for factor 'TTF:0' on 2024-03-05"* ]]
	# a gap in a factor the book does not use is not a gap
	printf 'trade_id,book,curve,tenor,delta\nX,B,NG,0,100\n' > ng.csv
	run_split qe-var hs -H gap.csv -s ng.csv -m markets.csv --window 100 -a 0.95 --gaps error
	assert_success
	sed 's/^\(2024-02-01,NG,1,\).*/\1-0.5/' history.csv > neg.csv
	run_split qe-var hs -H neg.csv -m markets.csv -s sens.csv --window 100 -a 0.95
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"factor 'NG:1' has price -0.5 on 2024-02-01"* ]]
	printf 'curve,returns\nNG,sqrt\n' > badm.csv
	run_split qe-var hs -H history.csv -m badm.csv -s sens.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"badm.csv:2:2: column 'returns'"* ]]
}

@test "singular covariance: mc refuses with exit 5 naming the factor; --repair floors it and says so" {
	make_market 150
	awk -F, 'NR > 1 && $2 == "NG" && $3 == 0 { print $1 ",NGCOPY,0," $4 }' history.csv > copy.csv
	cat history.csv copy.csv > dup.csv
	printf 'trade_id,book,curve,tenor,delta\nX,B,NG,0,100\nY,B,NGCOPY,0,50\nZ,B,DE,0,10\n' > dsens.csv
	run_split qe-var mc -H dup.csv -s dsens.csv --window 100 --paths 1000 -a 0.95 -o out.csv
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"not positive definite: factor 'NGCOPY:0'"* ]]
	assert_file_not_exist out.csv
	run_split qe-var mc -H dup.csv -s dsens.csv --window 100 --paths 1000 -a 0.95 --repair
	assert_success
	[[ "$stderr" == *"eigenvalues floored"* ]]
}

@test "cube: HDF5 P&L cube re-cuts to the same VaR as the run that wrote it and opens in h5py" {
	make_market 300
	qe-var hs -H history.csv -m markets.csv -s sens.csv -a 0.975 --cube cube.h5 > hs.csv
	qe-var measures -a 0.975 cube.h5 > m.csv
	run "$PYORACLE" - <<'PY'
import csv, h5py
a = {r["portfolio"]: r for r in csv.DictReader(open("hs.csv"))}
b = {r["portfolio"]: r for r in csv.DictReader(open("m.csv"))}
assert set(a) == set(b) == {"total", "B1", "B2"}
for k in a: assert a[k]["var"] == b[k]["var"] and a[k]["es"] == b[k]["es"], (a[k], b[k])
with h5py.File("cube.h5") as f:
    assert f["pnl_cube"]["pnl"].shape == (3 * 250,)
    assert f["pnl_cube"].attrs["schema"] in (b"pnl_cube", "pnl_cube")
PY
	assert_success
	echo garbage > bad.h5
	printf '\211HDF\r\n\032\nbroken' > trunc.h5
	run_split qe-var measures trunc.h5
	[ "$status" -eq 3 ]
}

@test "stress: shock files (parallel, per curve, per tenor) and historical windows give the hand-computed P&L" {
	make_market 300
	printf 'scenario,curve,tenor,shock,type\nup10,*,,0.1,rel\nup10,DE,,5,abs\nfront,NG,1,-0.3,rel\nfront,*,12,2,abs\ntypo,NGX,,0.1,rel\n' > shocks.csv
	printf 'name,start,end\nspring,2024-03-01,2024-04-15\n' > win.csv
	run_split qe-var stress -H history.csv -m markets.csv -s sens.csv --shocks shocks.csv --windows win.csv --worst --horizon 5 -o st.csv
	assert_success
	[[ "$stderr" == *"1 shock rows reach no risk factor of the book (first: shocks.csv:6: NGX:*)"* ]]
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load(); F = P[-1]
rows = {(r["portfolio"], r["scenario"]): float(r["pnl"]) for r in csv.DictReader(open("st.csv"))}
def shock(fn):
    return np.array([fn(f.split(":")[0], int(f.split(":")[1]), F[i]) for i, f in enumerate(fac)])
up = shock(lambda c, t, p: 5.0 if c == "DE" else 0.1 * p)
front = shock(lambda c, t, p: -0.3 * p if (c, t) == ("NG", 1) else (2.0 if t == 12 else 0.0))
a = max(i for i, d in enumerate(dates) if d <= "2024-03-01"); b = max(i for i, d in enumerate(dates) if d <= "2024-04-15")
spring = np.where(isabs, P[b] - P[a], F * np.expm1(np.log(P[b] / P[a])))
R5 = returns(P, isabs, 5); dF5 = np.where(isabs, R5, F * np.expm1(R5))
for name, bk in books().items():
    d = vec(bk, fac, 0)
    close(rows[name, "up10"], up @ d, 1e-12); close(rows[name, "front"], front @ d, 1e-12)
    close(rows[name, "spring"], spring @ d, 1e-12); assert rows[name, "typo"] == 0
tot = dF5 @ vec(books()["total"], fac, 0); w = int(np.argmin(tot))
key = "worst-5d-" + dates[w + 5]
close(rows["total", key], tot[w], 1e-12)
print("ok")
PY
	assert_success
	printf 'name,start,end\nold,2019-01-01,2019-02-01\n' > oldwin.csv
	run_split qe-var stress -H history.csv -m markets.csv -s sens.csv --windows oldwin.csv -o st2.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"oldwin.csv:2:2: column 'start': window 'old' is outside the history"* ]]
	assert_file_not_exist st2.csv
	printf 'scenario,curve,tenor,shock,type\nx,NG,,-1.5,rel\n' > neg.csv
	run_split qe-var stress -H history.csv -m markets.csv -s sens.csv --shocks neg.csv
	[ "$status" -eq 3 ]
	run_split qe-var stress -H history.csv -m markets.csv -s sens.csv
	[ "$status" -eq 2 ]
}

@test "numbers do not depend on the locale (de_DE.UTF-8 decimal comma)" {
	make_pnl 300 5
	qe-var measures -a 0.99,0.95 pnl.csv > c.csv
	LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 qe-var measures -a 0.99,0.95 pnl.csv > de.csv
	cmp c.csv de.csv
	run_split env LC_ALL=de_DE.UTF-8 qe-var measures -a 0,99 pnl.csv
	[ "$status" -eq 2 ]
}

@test "bundled data: a year of daily HS VaR against the P&L of a book on the bundled history backtests green" {
	# a book on the bundled factors: the history is the bundled one, the
	# positions a fixed ladder (the pipeline uses qe-price's sensitivities)
	printf 'trade_id,book,curve,tenor,delta\nA,GAS,NG_HH,1,-200000\nB,GAS,TTF,2,50000\nC,POWER,DE_BASE,1,20000\nD,POWER,PJM_WH_PEAK,3,-10000\nE,OIL,CL_WTI,1,30000\nF,OIL,BRENT,2,-25000\nG,CARBON,EUA,12,5000\n' > book.csv
	# the book mixes USD and EUR curves: one currency's total at a time
	run_split qe-var series -H "$DATA/history.csv" -m "$DATA/markets.csv" -s book.csv --days 250 --window 250 \
		--portfolio total/USD -o series.csv
	assert_success
	[ "$(wc -l < series.csv)" -eq 251 ]
	run_split qe-var backtest series.csv
	[[ "${lines[1]}" == 250,*,green,accept,2026-11-25 ]] || fail "$output"
	run "$PYORACLE" - <<'PY'
import csv
rows = list(csv.DictReader(open("series.csv")))
assert rows[-1]["date"] <= "2026-11-25" and all(float(r["var"]) > 0 for r in rows)
PY
	assert_success
}

@test "grouping: --by any sensitivities column, or a curve-master column such as commodity" {
	make_market 300
	printf 'curve,returns,commodity\nNG,log,gas\nTTF,log,gas\nDE,abs,power\n' > m2.csv
	qe-var hs -q -H history.csv -m m2.csv -s sens.csv --by commodity > c.csv
	qe-var hs -q -H history.csv -m m2.csv -s sens.csv --by trade_id > t.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
R = returns(P, isabs)[-250:]; dF = np.where(isabs, R, P[-1] * np.expm1(R))
com = {"NG": "gas", "TTF": "gas", "DE": "power"}
grp = {}
for r in csv.DictReader(open("sens.csv")):
    for g in (com[r["curve"]], "T:" + r["trade_id"]):
        k = "%s:%d" % (r["curve"], min(int(r["tenor"]), 12))
        grp.setdefault(g, np.zeros(len(fac)))[fac.index(k)] += float(r["delta"])
out = {**{k: v for k, v in results("c.csv").items()}, **{("T:" + k[0], k[1]): v for k, v in results("t.csv").items()}}
assert {k[0] for k in results("c.csv")} == {"total", "gas", "power"}
for g, d in grp.items():
    L = np.sort(-(dF @ d)); close(float(out[g, "0.99"]["var"]), L[250 - 3], 1e-9)
print("ok")
PY
	assert_success
	run_split qe-var hs -H history.csv -m m2.csv -s sens.csv --by desk
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no column 'desk' to group by"* ]]
}

@test "mc: delta-gamma paths have the mean 1/2 tr(G Sigma) and variance of the quadratic form" {
	make_market 300
	printf 'trade_id,book,curve,tenor,delta,gamma\nA,B1,NG,0,20000,300000\nB,B1,TTF,1,-1000,-400\nC,B1,DE,12,300,20\n' > gsens.csv
	qe-var mc -q -H history.csv -m markets.csv -s gsens.csv --by none --paths 100000 --seed 5 --cube cube.csv > mc.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
s = np.where(isabs, 1.0, P[-1]); S = np.cov(returns(P, isabs)[-250:], rowvar=False) * np.outer(s, s)
b = {}
for r in csv.DictReader(open("gsens.csv")):
    k = "%s:%s" % (r["curve"], r["tenor"]); b[k] = [float(r["delta"]), float(r["gamma"])]
d, g = vec(b, fac, 0), vec(b, fac, 1); GS = np.diag(g) @ S
mu = 0.5 * np.trace(GS); var = d @ S @ d + 0.5 * np.trace(GS @ GS)
x = np.array([float(r["pnl"]) for r in csv.DictReader(open("cube.csv"))])
assert len(x) == 100000
se = math.sqrt(var / len(x))
assert abs(x.mean() - mu) < 4 * se, (x.mean(), mu, se)
assert abs(x.var() / var - 1) < 0.05, (x.var(), var)
print("ok")
PY
	assert_success
}

@test "cov-file: a user covariance round-trips; non-PSD is refused (exit 5) or clipped with --repair" {
	make_market 300
	printf 'trade_id,book,curve,tenor,delta\nA,B,NG,0,1000\nB,B,TTF,0,-500\nC,B,DE,0,20\n' > s3.csv
	qe-var cov -q -H history.csv -m markets.csv > cov.csv
	qe-var param -q -H history.csv -m markets.csv -s s3.csv > a.csv
	qe-var param -q -H history.csv -m markets.csv -s s3.csv --cov-file cov.csv > b.csv
	cmp a.csv b.csv
	# correlations 0.9, 0.9, -0.9: eigenvalue 1 - 0.9 - 0.9 < 0
	printf 'factor1,factor2,cov\nNG:0,NG:0,1\nTTF:0,TTF:0,1\nDE:0,DE:0,1\nNG:0,TTF:0,0.9\nNG:0,DE:0,0.9\nTTF:0,DE:0,-0.9\n' > bad.csv
	run_split qe-var param -H history.csv -m markets.csv -s s3.csv --cov-file bad.csv -o out.csv
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"covariance is not positive semi-definite: 1 negative eigenvalue, smallest -0.8"* ]]
	assert_file_not_exist out.csv
	run_split qe-var param -H history.csv -m markets.csv -s s3.csv --cov-file bad.csv --repair -o out.csv
	assert_success
	[[ "$stderr" == *"covariance repaired: 1 negative eigenvalue clipped (smallest -0.8"* ]]
	run "$PYORACLE" - <<'PY'
import csv, numpy as np
from scipy.stats import norm
S = np.array([[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]]); w, V = np.linalg.eigh(S)
C = V @ np.diag(np.clip(w, 0, None)) @ V.T; d = np.array([1000, -500, 20.0])
r = next(csv.DictReader(open("out.csv")))
assert abs(float(r["var"]) - norm.ppf(0.99) * np.sqrt(d @ C @ d)) < 1e-8 * float(r["var"]), r
PY
	assert_success
	grep -v 'TTF:0,DE:0' bad.csv > gap.csv
	run_split qe-var param -H history.csv -m markets.csv -s s3.csv --cov-file gap.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no covariance for factors 'TTF:0' and 'DE:0'"* ]]
}

# sensitivities of the bundled book (qe-price on data/), for the tests below
bundled_sens() {
	local asof
	asof=$(awk -F, 'NR == 2 { print $2; exit }' "$DATA/curves.csv")
	qe-price -q --asof "$asof" --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" \
		--vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --markets "$DATA/markets.csv" \
		--fixings "$DATA/fixings.csv" --calendars "$DATA/calendars" -o val.csv --sensitivities sens.csv
}

@test "F2: hs, mc, cov, components byte-identical for OMP_NUM_THREADS=1 and 2 on the bundled data" {
	bundled_sens
	unset OPENBLAS_NUM_THREADS GOTO_NUM_THREADS
	M="-H $DATA/history.csv -m $DATA/markets.csv -s sens.csv -q"
	for n in 1 2; do
		OMP_NUM_THREADS=$n qe-var hs $M --window all --horizon 10 > hs$n.csv
		OMP_NUM_THREADS=$n qe-var mc $M --repair --paths 20000 --seed 7 --cube cube$n.csv > mc$n.csv
		OMP_NUM_THREADS=$n qe-var components $M --repair --cov ewma > comp$n.csv
		for c in ewma sample lw; do
			OMP_NUM_THREADS=$n qe-var cov -q -H "$DATA/history.csv" -m "$DATA/markets.csv" --cov $c > cov$c$n.csv
		done
	done
	for f in hs mc cube comp covewma covsample covlw; do
		[ -s ${f}1.csv ]
		cmp ${f}1.csv ${f}2.csv
	done
}

@test "F3: overflowing P&L, VaR, ES, components, stress, series exit 5 naming the portfolio, no output" {
	printf 'trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\nT1,B,NG_HH,2027-01-01,2027-01-31,2,1e308,0,0\nT2,B,NG_HH,2027-01-01,2027-01-31,2,1e308,0,0\n' > big.csv
	printf 'scenario,curve,tenor,shock,type\nup,NG_HH,,0.2,rel\n' > shocks.csv
	for c in hs param mc components stress series; do
		own=
		case $c in
		mc) own="--paths 2000" ;;
		stress) own="--shocks shocks.csv" ;;
		esac
		# shellcheck disable=SC2086
		run_split qe-var $c -H "$DATA/history.csv" -m "$DATA/markets.csv" -s big.csv -q $own -o out.csv
		[ "$status" -eq 5 ] || { echo "$c: status $status"; false; }
		[[ "$stderr" == *"portfolio 'total'"*"not finite"* ]] || { echo "$c: $stderr"; false; }
		assert_file_not_exist out.csv
	done
	(echo portfolio,scenario,pnl; for i in $(seq 101); do echo p,s$i,-1e308; done) > pnl.csv
	run_split qe-var measures pnl.csv -o out.csv
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"portfolio 'p'"*"not finite"* ]]
	assert_file_not_exist out.csv
}

@test "F5: backtest refuses a negative or NaN var as bad data" {
	printf 'date,var,pnl\n2026-01-01,-100,5\n2026-01-02,100,-200\n' > neg.csv
	run_split qe-var backtest neg.csv -o out.csv
	[ "$status" -eq 3 ]
	[ "$stderr" = "qe-var: neg.csv:2:2: column 'var': negative '-100'" ]
	assert_file_not_exist out.csv
	printf 'date,var,pnl\n2026-01-01,100,5\n2026-01-02,NaN,-200\n' > nan.csv
	run_split qe-var backtest nan.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == "qe-var: nan.csv:3:2: column 'var': "* ]]
}

@test "F6: backtest accepts an over-conservative green model, rejects under-coverage" {
	# zero exceptions in 250 days: two-sided Kupiec p 0.025 (scipy below), yet green and accepted
	(echo date,var,pnl; for i in $(seq 0 249); do echo "$(date -u -d "2025-01-01 +$i day" +%F),100,10"; done) > zero.csv
	run_split qe-var backtest zero.csv
	assert_success
	"$PYORACLE" -c "
import csv; from scipy.stats import chi2; import math
r = next(csv.DictReader(open('/dev/stdin')))
lr = -2 * 250 * math.log(0.99)
assert abs(float(r['kupiec_p']) - chi2.sf(lr, 1)) < 1e-12 and float(r['kupiec_p']) < 0.05, r
assert r['exceptions'] == '0' and r['zone'] == 'green' and r['result'] == 'accept', r
" <<< "$output"
	# 7 exceptions spread out (yellow, Kupiec p < 0.05 on the high side): rejected, exit 1
	(echo date,var,pnl; for i in $(seq 0 249); do p=10; [ $((i % 35)) -eq 17 ] && p=-150
		echo "$(date -u -d "2025-01-01 +$i day" +%F),100,$p"; done) > seven.csv
	run_split qe-var backtest seven.csv
	[ "$status" -eq 1 ]
	[[ "$output" == *",7,2.5,"*",yellow,reject,2025-09-07" ]]
}

@test "F1: P&L is never added across currencies: split per currency, or --fx to --base (numpy)" {
	make_market
	# NG in USD; DE and TTF in EUR: books B1 and B2 and the total mix both
	printf 'curve,returns,unit,currency\nNG,log,MWh,USD\nDE,abs,MWh,EUR\nTTF,log,MWh,EUR\n' > markets.csv
	printf 'currency,rate\nEUR,1.08\nUSD,1\n' > fx.csv
	run_split qe-var hs -q -H history.csv -m markets.csv -s sens.csv -a 0.95,0.99 -o split.csv --cube cube.csv
	assert_success
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv -a 0.95,0.99 --fx fx.csv --base USD -o conv.csv
	qe-var components -q -H history.csv -m markets.csv -s sens.csv > comp.csv
	run "$PYORACLE" - <<PY
$(oracle_lib)
dates, fac, P, isabs = load()
R = returns(P, isabs)[-250:]
F = P[-1]
dF = np.where(isabs, R, F * np.expm1(R))
ccy = {"NG": "USD", "DE": "EUR", "TTF": "EUR"}; rate = {"USD": 1.0, "EUR": 1.08}
fccy = np.array([ccy[f.split(":")[0]] for f in fac])
frate = np.array([rate[c] for c in fccy])
def var_es(pnl, a):
    L = np.sort(-pnl); k = math.ceil(len(pnl) * (1 - float(a)) - 1e-9)
    return L[len(pnl) - k], L[len(pnl) - k:].mean()
split = {(r["portfolio"], r["currency"], r["alpha"]): r for r in csv.DictReader(open("split.csv"))}
conv = {(r["portfolio"], r["currency"], r["alpha"]): r for r in csv.DictReader(open("conv.csv"))}
want = set()
for name, b in books().items():
    d = vec(b, fac, 0)
    for c in ("USD", "EUR"):
        dc = np.where(fccy == c, d, 0.0)
        if not dc.any(): continue
        for a in ("0.95", "0.99"):
            v, e = var_es(dF @ dc, a); r = split[name, c, a]; want.add((name, c, a))
            close(float(r["var"]), v, 1e-9); close(float(r["es"]), e, 1e-9)
    for a in ("0.95", "0.99"):
        v, e = var_es(dF @ (d * frate), a); r = conv[name, "USD", a]
        close(float(r["var"]), v, 1e-9); close(float(r["es"]), e, 1e-9)
assert set(split) == want, (sorted(split), sorted(want))
assert len(conv) == 2 * len(books())
# components: one delta-normal decomposition per currency; components sum to that currency's VaR
comp = list(csv.DictReader(open("comp.csv")))
for c in ("USD", "EUR"):
    g = [r for r in comp if r["currency"] == c and r["level"] == "group"]
    f = [r for r in comp if r["currency"] == c and r["level"] == "factor"]
    assert g and f and all(ccy[r["name"].split(":")[0]] == c for r in f), c
    close(sum(float(r["component"]) for r in g), float(g[0]["var"]), 1e-9)
    close(sum(float(r["component"]) for r in f), float(g[0]["var"]), 1e-9)
cube = {r["portfolio"] for r in csv.DictReader(open("cube.csv"))}
assert cube == {"total/USD", "total/EUR", "B1/USD", "B1/EUR", "B2/USD", "B2/EUR"}, cube
print("ok")
PY
	assert_success
	run_split qe-var series -q -H history.csv -m markets.csv -s sens.csv --days 50 --window 100
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"portfolio 'total' holds several currencies: choose one as 'total/USD'"* ]]
	run_split qe-var series -q -H history.csv -m markets.csv -s sens.csv --days 50 --window 100 --portfolio total/EUR
	assert_success
	printf 'currency,rate\nUSD,1\n' > nofx.csv
	run_split qe-var hs -q -H history.csv -m markets.csv -s sens.csv --fx nofx.csv --base USD
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no FX rate for currency 'EUR'"* ]]
	run_split qe-var hs -q -H history.csv -m markets.csv -s sens.csv --fx fx.csv
	[ "$status" -eq 2 ]
}

@test "F9: an unknown or incomplete option is one line naming the subcommand and a hint to its --help, exit 2; -V is --version" {
	run_split qe-var hs --bogus
	[ "$status" -eq 2 ]
	[ "$stderr" = "qe-var: hs: unknown option '--bogus'
Try 'qe-var hs --help' for more information." ]
	run_split qe-var backtest -Z
	[ "$status" -eq 2 ]
	[ "$stderr" = "qe-var: backtest: unknown option '-Z'
Try 'qe-var backtest --help' for more information." ]
	run_split qe-var hs --history
	[ "$status" -eq 2 ]
	[ "$stderr" = "qe-var: hs: option '--history' needs an argument
Try 'qe-var hs --help' for more information." ]
	run_split qe-var -V
	assert_success
	[[ "$output" == "qe-var (QuantaEnergi) "* ]]
	run_split qe-var hs -V
	assert_success
	[[ "$output" == "qe-var (QuantaEnergi) "* ]]
}

@test "F12: --asof refuses a curve whose history ends before the as-of date" {
	make_market 300
	last=$(tail -n 1 history.csv | cut -d, -f1)
	awk -F, -v l="$last" 'NR == 1 || !($2 == "TTF" && $1 >= "2025-01-01")' history.csv > stale.csv
	run_split qe-var hs -H history.csv -m markets.csv -s sens.csv --asof "$last" -q
	assert_success
	run_split qe-var hs -H stale.csv -m markets.csv -s sens.csv --asof "$last" -q -o out.csv
	[ "$status" -eq 3 ]
	ttf_last=$(awk -F, '$2 == "TTF" { d = $1 } END { print d }' stale.csv)
	# the book's TTF:0 and TTF:12; markets.csv names no calendar: weekdays
	[ "$stderr" = "qe-var: stale.csv: as of $last, 2 factors of 1 curve lack a price for a day their exchange was open (truncated or stale history): TTF (every tenor; calendar WEEKENDS open on $last; last price $ttf_last)" ]
	assert_file_not_exist out.csv
	run_split qe-var cov -H stale.csv -m markets.csv --asof "$last"
	[ "$status" -eq 3 ]
	run_split qe-var hs -H history.csv -m markets.csv -s sens.csv --asof 2026-02-30
	[ "$status" -eq 2 ]
}

@test "as-of: a truncated bundled history is exit 3 naming the file and line, or the curves that lack the last day" {
	bundled_sens
	# cut at a byte count: the last row (2025-02-20, NG_HH tenor 13) is cut
	# mid-way, its price's last two characters gone
	row=$(grep -m1 '^2025-02-20,NG_HH,13,' "$DATA/history.csv")
	at=$(grep -b -m1 '^2025-02-20,NG_HH,13,' "$DATA/history.csv" | cut -d: -f1)
	head -c $((at + ${#row} - 2)) "$DATA/history.csv" > cut.csv
	n=$(wc -l < cut.csv)
	run_split qe-var hs -H cut.csv -m "$DATA/markets.csv" -s sens.csv -o var.csv
	[ "$status" -eq 3 ]
	[ "$stderr" = "qe-var: cut.csv:$((n + 1)): last line has no line end: the file looks truncated" ]
	assert_file_not_exist var.csv
	# cut at a line, two lines before the cut: 2025-02-20 has only NG_HH
	# up to tenor 10
	head -n "$((n - 2))" "$DATA/history.csv" > lines.csv
	[[ "$(tail -n 1 lines.csv)" == "2025-02-20,NG_HH,10,"* ]] || fail "$(tail -n 1 lines.csv)"
	for cmd in "hs -s sens.csv" "param -s sens.csv" "series -s sens.csv --portfolio total/USD" "cov"; do
		run_split qe-var $cmd -H lines.csv -m "$DATA/markets.csv" -o out.csv
		[ "$status" -eq 3 ] || fail "$cmd: exit $status"
		assert_file_not_exist out.csv
	done
	ncurves=$(($(wc -l < "$DATA/markets.csv") - 1))
	[[ "$stderr" == "qe-var: lines.csv: as of 2025-02-20, "*" factors of $ncurves curves lack a price for a day their exchange was open (truncated or stale history): NG_HH:11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36 (calendar NYMEX open on 2025-02-20; last price 2025-02-19), CL_WTI (every tenor; calendar NYMEX open on 2025-02-20; last price 2025-02-19), "*"DE_BASE (every tenor; calendar EEX open on 2025-02-20; last price 2025-02-19)"* ]] || fail "$stderr"
	# by the calendars: on Thanksgiving 2026 (NYMEX and NERC closed) only
	# the European curves lack a price
	run_split qe-var cov -H "$DATA/history.csv" -m "$DATA/markets.csv" --asof 2026-11-26
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"185 factors of 5 curves lack"*"BRENT (every tenor; calendar ICE_EU open on 2026-11-26; last price 2026-11-25)"* ]] || fail "$stderr"
	[[ "$stderr" != *NG_HH* && "$stderr" != *CL_WTI* && "$stderr" != *PJM* ]] || fail "$stderr"
}

@test "as-of: a curve whose exchange was closed on the last date needs no price that day (its calendar beside -m)" {
	make_market 300
	last=$(tail -n 1 history.csv | cut -d, -f1)
	awk -F, -v l="$last" 'NR == 1 || !($2 == "NG" && $1 == l)' history.csv > hol.csv
	mkdir -p cal/calendars
	printf '# calendar: TEST\n%s\n' "$last" > cal/calendars/TEST.txt
	{ echo curve,returns,unit,calendar; echo NG,log,MWh,TEST; echo DE,abs,MWh,; echo TTF,log,MWh,WEEKENDS; } > cal/markets.csv
	# NG's exchange was open: its missing prices are named
	run_split qe-var hs -q -H hol.csv -m markets.csv -s sens.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"2 factors of 1 curve lack"*"NG (every tenor; calendar WEEKENDS open on $last;"* ]] || fail "$stderr"
	# closed by its calendar (cal/calendars/TEST.txt, beside cal/markets.csv): accepted
	run_split qe-var hs -q -H hol.csv -m cal/markets.csv -s sens.csv
	assert_success
	# --calendars names another directory, which lacks TEST.txt
	mkdir other
	run_split qe-var hs -q -H hol.csv -m cal/markets.csv --calendars other -s sens.csv
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"other/TEST.txt"* ]] || fail "$stderr"
	run_split qe-var hs -q -H hol.csv -m cal/markets.csv --calendars cal/calendars -s sens.csv
	assert_success
	run_split qe-var hs -q -H hol.csv --calendars cal/calendars -s sens.csv
	[ "$status" -eq 2 ]
}

@test "as-of: every output carries the as-of date; without --asof it is the history's last, said on stderr" {
	make_market 300
	last=$(tail -n 1 history.csv | cut -d, -f1)
	M="-H history.csv -m markets.csv -s sens.csv"
	run_split qe-var hs $M -o hs.csv --cube cube.csv
	assert_success
	[[ "$stderr" == *"qe-var: as of $last (last date of history.csv)"* ]] || fail "$stderr"
	run_split qe-var hs -q $M -o q.csv
	[ -z "$stderr" ]
	qe-var hs -q $M --cube cube.h5 -o /dev/null
	qe-var param -q $M -o param.csv
	qe-var mc -q $M --paths 1000 -o mc.csv
	qe-var components -q $M -o comp.csv
	qe-var series -q $M --days 20 --window 100 -o series.csv
	qe-var stress -q $M --worst -o stress.csv
	qe-var cov -q -H history.csv -m markets.csv -o cov.csv
	qe-var cov -q -H history.csv -m markets.csv --format hdf5 -o cov.h5
	qe-var measures -q cube.csv -o meas.csv
	qe-var measures -q -a 0.9 cube.h5 -o meash5.csv
	qe-var backtest -q series.csv -o bt.csv || true
	sdate=$(tail -n 1 series.csv | cut -d, -f1)
	run "$PYORACLE" - "$last" "$sdate" <<'PY'
import csv, sys, h5py, datetime
last, sdate = sys.argv[1], sys.argv[2]
for f in ("hs.csv", "cube.csv", "param.csv", "mc.csv", "comp.csv", "series.csv", "stress.csv", "cov.csv",
          "meas.csv", "meash5.csv", "bt.csv"):
    rows = list(csv.DictReader(open(f)))
    assert rows and all(r["asof"] == (sdate if f == "bt.csv" else last) for r in rows), (f, rows[0])
epoch = datetime.date(1970, 1, 1)
for f, t in (("cube.h5", "pnl_cube"), ("cov.h5", "cov")):
    with h5py.File(f) as h:
        d = h[t]["asof"][:]
        assert len(set(d)) == 1 and str(epoch + datetime.timedelta(days=int(d[0]))) == last, (f, d[:3])
print("ok")
PY
	assert_success
	# --asof an earlier date: the later dates are ignored, as if the file ended there
	asof=$(awk -F, 'NR > 1 { print $1 }' history.csv | sort -u | tail -n 30 | head -n 1)
	awk -F, -v a="$asof" 'NR == 1 || $1 <= a' history.csv > upto.csv
	run_split qe-var hs $M --asof "$asof" -o early.csv
	assert_success
	[[ "$stderr" == *"history: 29 dates after the as-of date $asof ignored"* ]] || fail "$stderr"
	[[ "$stderr" != *"as of $asof (last date"* ]] || fail "$stderr"
	qe-var hs -q -H upto.csv -m markets.csv -s sens.csv -o upto_hs.csv
	cmp early.csv upto_hs.csv
	grep -q ",$asof\$" early.csv
	# a cube whose rows disagree on the as-of date is refused
	awk -F, -v OFS=, 'NR == 3 { $4 = "2020-01-01" } { print }' cube.csv > mixed.csv
	run_split qe-var measures mixed.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"mixed.csv:3:4: column 'asof'"*"differs from line 2"* ]] || fail "$stderr"
}

# command | the long options its --help lists (besides -o -q -h -V) | an
# option of another command with its argument
var_commands() {
	local hist="--history --vol-history --markets --calendars --gaps --asof" book="--sens --by --fx --base"
	local cov="--cov --lambda --repair"
	local price="--trades --curves --vols --rates --fixings --spread-corr"
	# every command that reads a book chooses contract or constant-maturity returns
	book="$book --returns"
	cat <<END
measures|--alpha --quantile|--paths 5
backtest|--alpha --significance|--quantile kth
hs|$hist $book --window --horizon --sqrt-scale --alpha --quantile --brw --fhs --cube --timing --full $price --fx-history --valuations|--paths 5
param|$hist $book --fx-history --valuations --window --horizon --sqrt-scale --alpha $cov --cov-file --cornish-fisher|--cube c.csv
mc|$hist $book --fx-history --valuations --window --horizon --sqrt-scale --alpha --quantile $cov --cov-file --paths --seed --dist --df --cube --timing --full ${price% --vol-history} --factor-returns|--cornish-fisher
components|$hist $book --fx-history --valuations --window --horizon --sqrt-scale --alpha $cov --cov-file|--quantile kth
series|$hist $book --window --horizon --sqrt-scale --alpha --quantile --brw --days --portfolio|--fhs 0.9
cov|$hist --window --horizon --sqrt-scale $cov --returns --format|--sens sens.csv
stress|$hist $book --horizon --sqrt-scale --shocks --windows --worst --full $price|--alpha 0.99
whatif|$hist --new $price --cube --by --fx --base --fx-history --window --horizon --sqrt-scale --alpha --quantile|--sens sens.csv
END
}

@test "commands: each --help exits 0 and lists exactly the command's options" {
	while IFS='|' read -r c opts _; do
		run_split qe-var "$c" --help
		[ "$status" -eq 0 ] || fail "$c --help: exit $status"
		[ -z "$stderr" ] || fail "$c --help wrote to stderr: $stderr"
		[[ "${lines[0]}" == "usage: qe-var $c "* ]] || fail "$c --help: ${lines[0]}"
		got=$(printf '%s\n' "$output" | awk '/^ +(-[a-zA-Z], )?--[a-z]/ { for (i = 1; i <= NF; i++) if ($i ~ /^--/) { print $i; break } }' | sort)
		want=$(printf '%s\n' $opts --output --quiet --help --version | sort)
		[ "$got" = "$want" ] || fail "$c --help lists: $(echo $got) want: $(echo $want)"
	done < <(var_commands)
}

@test "commands: an option of another command is a usage error naming the command, exit 2" {
	while IFS='|' read -r c _ foreign; do
		# shellcheck disable=SC2086
		run_split qe-var "$c" $foreign
		[ "$status" -eq 2 ] || fail "$c $foreign: exit $status"
		[ "$stderr" = "qe-var: $c: unknown option '${foreign%% *}'
Try 'qe-var $c --help' for more information." ] || fail "$c $foreign: $stderr"
		[ -z "$output" ] || fail "$c $foreign wrote: $output"
	done < <(var_commands)
	# the example of the issue: measures took Monte Carlo options and exited 0
	make_pnl 200 2
	run_split qe-var measures --paths 5 --dist t pnl.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: measures: unknown option '--paths'"* ]]
}

@test "commands: long options in full only; an operand where no FILE is read is a usage error" {
	make_market 150
	# --window is hs's, --windows stress's: no abbreviation may join them
	run_split qe-var stress -H history.csv -s sens.csv --window 100
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: stress: unknown option '--window' (did you mean '--windows'?)"* ]]
	run_split qe-var hs --hist history.csv -s sens.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: unknown option '--hist' (did you mean '--history'?)"* ]]
	run_split qe-var hs -q --quiet=1 -H history.csv -s sens.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: option '--quiet' takes no argument"* ]]
	run_split qe-var hs -q -H history.csv -s sens.csv extra.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: unexpected argument 'extra.csv'"* ]]
	# a usage error a command finds names it and points to its --help
	run_split qe-var stress -H history.csv -s sens.csv
	[ "$status" -eq 2 ]
	[ "$stderr" = "qe-var: stress: needs --shocks FILE, --windows FILE or --worst
Try 'qe-var stress --help' for more information." ]
	# options and operands in any order, '=' or a separate argument
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 100 -a 0.95 > a.csv
	qe-var hs --window=100 -q --sens=sens.csv -a0.95 --markets markets.csv --history=history.csv > b.csv
	cmp a.csv b.csv
}

@test "man: each command's SYNOPSIS lists exactly the options of its --help" {
	while IFS='|' read -r c _ _; do
		want=$(qe-var "$c" --help | awk '
			/^  -[a-zA-Z], --/ { o = substr($1, 1, 2); if (o != "-h" && o != "-V") print o; next }
			/^      --[a-z]/ { print $1 }' | sort)
		got=$(awk -v cmd="$c" '
			/^\.Sh SYNOPSIS/ { syn = 1; next }
			syn && /^\.Sh/ { exit }
			syn && /^\.Nm/ { on = 0; next }
			syn && $0 == ".Cm " cmd { on = 1; next }
			syn && on { for (i = 1; i < NF; i++) if ($i == "Fl" || $i == ".Fl") {
				if ($(i + 1) == "Fl") { print "--" $(i + 2); i += 2 } else { print "-" $(i + 1); i++ } } }' \
			"$QE_TOP/man/qe-var.1" | sort -u)
		[ -n "$got" ] || fail "man/qe-var.1: no synopsis for $c"
		[ "$got" = "$want" ] || fail "$c: man synopsis $(echo $got) but --help $(echo $want)"
	done < <(var_commands)
}

@test "BLAS threads are the command's business: lib/ never sets them, qe-var runs BLAS single-threaded" {
	# process-wide state (STYLE.md): a library call must not change it
	run grep -rnE --include='*.c' 'openblas_set_num_threads|goto_set_num_threads|omp_set_num_threads|omp_set_dynamic' "$QE_TOP/lib"
	assert_output ""
	make_market 150
	for n in 1 3; do
		OPENBLAS_NUM_THREADS=$n OMP_NUM_THREADS=2 qe-var mc -q -H history.csv -m markets.csv -s sens.csv \
			--paths 9000 --seed 5 --cube cube$n.csv > mc$n.csv
		OPENBLAS_NUM_THREADS=$n OMP_NUM_THREADS=2 qe-var hs -q -H history.csv -m markets.csv -s sens.csv \
			--window 100 -a 0.95 > hs$n.csv
	done
	cmp mc1.csv mc3.csv
	cmp cube1.csv cube3.csv
	cmp hs1.csv hs3.csv
}

@test "outputs: -o and --cube commit together; a failing one keeps every previous file, no temporary file" {
	make_market 150
	M="-H history.csv -m markets.csv -s sens.csv --window 100"
	echo old > hs.csv
	echo oldcube > cube.csv
	# the cube fails after -o was written: -o is not replaced
	run_split qe-var hs -q $M -o hs.csv --cube /dev/full
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/dev/full: write error"* ]]
	# -o fails after the cube was written: the cube is not replaced either
	run_split qe-var hs -q $M -o /dev/full --cube cube.csv
	[ "$status" -eq 4 ]
	assert_equal "$(cat cube.csv)" oldcube
	run_split qe-var mc -q $M --paths 2000 -o /dev/full --cube cube.csv
	[ "$status" -eq 4 ]
	assert_equal "$(cat cube.csv)" oldcube
	# a path in a missing directory, CSV or HDF5, fails before anything is written
	for cube in nodir/c.csv nodir/c.h5; do
		run_split qe-var hs -q $M -o hs.csv --cube "$cube"
		[ "$status" -eq 4 ] || fail "$cube: exit $status"
		[[ "$stderr" == *"$cube: cannot create"* ]] || fail "$cube: $stderr"
	done
	run_split qe-var mc -q $M --paths 2000 -o nodir/mc.csv --cube cube.h5
	[ "$status" -eq 4 ]
	assert_file_not_exist cube.h5
	run_split qe-var cov -q -H history.csv -m markets.csv --format hdf5 -o nodir/cov.h5
	[ "$status" -eq 4 ]
	assert_equal "$(cat hs.csv)" old
	assert_equal "$(cat cube.csv)" oldcube
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
	# and a good run replaces both
	qe-var hs -q $M -o hs.csv --cube cube.csv
	[ "$(head -1 hs.csv)" = "portfolio,method,alpha,horizon,scenarios,var,es,currency,asof" ]
	[ "$(head -1 cube.csv)" = "portfolio,scenario,pnl,asof" ]
	[ "$(wc -l < cube.csv)" -eq $((3 * 100 + 1)) ]
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

@test "outputs: a replaced file keeps its mode (a 0600 P&L stays 0600), CSV and HDF5; a new one is 0666 less the umask" {
	make_market 150
	M="-H history.csv -m markets.csv -s sens.csv --window 100"
	for f in hs.csv cube.h5 cov.h5 cov.csv; do echo old > $f; chmod 600 $f; done
	(umask 022 && qe-var hs -q $M -o hs.csv --cube cube.h5)
	(umask 022 && qe-var cov -q -H history.csv -m markets.csv --format hdf5 -o cov.h5)
	(umask 022 && qe-var cov -q -H history.csv -m markets.csv -o cov.csv)
	for f in hs.csv cube.h5 cov.h5 cov.csv; do
		[ "$(cat $f)" != old ] || fail "$f not replaced"
		[ "$(stat -c %a $f)" = 600 ] || fail "$f: mode $(stat -c %a $f) after the run, was 600"
	done
	(umask 022 && qe-var hs -q $M -o new.csv --cube new.h5)
	[ "$(stat -c %a new.csv)" = 644 ] && [ "$(stat -c %a new.h5)" = 644 ] ||
		fail "new files under umask 022: $(stat -c '%n %a' new.csv new.h5)"
	rm new.csv new.h5
	(umask 077 && qe-var hs -q $M -o new.csv --cube new.h5)
	[ "$(stat -c %a new.csv)" = 600 ] && [ "$(stat -c %a new.h5)" = 600 ] ||
		fail "new files under umask 077: $(stat -c '%n %a' new.csv new.h5)"
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

@test "outputs: SIGTERM or SIGINT during a long mc run leaves no temporary file and no output" {
	make_market 150
	for sig in TERM INT; do
		mkdir "$sig"
		echo old > "$sig/mc.csv"
		start_interruptible qe-var mc -q -H history.csv -m markets.csv -s sens.csv --paths 20000000 \
			-o "$sig/mc.csv" --cube "$sig/cube.h5"
		wait_temps "$sig" 2
		kill -"$sig" "$bg_pid"
		wait "$bg_pid" && st=0 || st=$?
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: exit $st"
		[ "$(ls -A "$sig")" = mc.csv ] || fail "SIG$sig left: $(ls -A "$sig")"
		assert_equal "$(cat "$sig/mc.csv")" old
	done
}

@test "progress: a long mc run shows its inputs read and the time computing on a terminal; never with -q, to a file or with stdout on the terminal" {
	make_market 150
	# 30M paths: well over the 1 s before a progress line is drawn, also
	# with the ziggurat's faster normals
	M="-H history.csv -m markets.csv -s sens.csv --paths 30000000"
	on_tty "QE_PROGRESS_DELAY=0 qe-var mc $M -o mc.csv"
	assert_success
	[[ "$output" == *$'\r'"qe-var: read "*" MB; computing for "*" s"* ]] || fail "no progress: $output"
	on_tty "qe-var mc -q $M -o mc.csv"
	[[ "$output" != *"computing for"* ]] || fail "-q: $output"
	on_tty "qe-var mc $M -o mc.csv 2> err.txt"
	[[ "$output" != *"computing for"* ]] && ! grep -q "computing for" err.txt || fail "stderr to a file"
	# the VaR table on the terminal is not mixed with a progress line
	on_tty "qe-var mc $M"
	assert_success
	[[ "$output" != *"computing for"* ]] || fail "stdout on the terminal: $output"
	[[ "$output" == *"portfolio,method,alpha"* ]]
}

@test "vol history: HS P&L of a vega-only book is vega x dvol, recomputed in numpy from the files" {
	cat > sens.csv <<'CSV'
trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega
T1,B1,NG_HH,2026-12-01,2026-12-31,1,0,0,1000
T2,B1,NG_HH,2027-02-01,2027-02-28,3,0,0,-400
T3,B2,CL_WTI,2027-01-01,2027-01-31,2,0,,250.5
T4,B2,CL_WTI,2028-02-01,2028-02-29,15,0,0,-80
CSV
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history "$DATA/vol_history.csv" \
		-s sens.csv -a 0.99 --cube cube.csv -o var.csv
	assert_success
	run "$PYORACLE" - "$DATA" <<'PY'
import sys, csv, math, numpy as np, pandas as pd
D = sys.argv[1]
h = pd.read_csv(D + "/history.csv")
v = pd.read_csv(D + "/vol_history.csv")
dates = sorted(set(h.date) | set(v.date))
book = {("NG_HH", 1): ("B1", 1000.0), ("NG_HH", 3): ("B1", -400.0),
        ("CL_WTI", 2): ("B2", 250.5), ("CL_WTI", 15): ("B2", -80.0)}
def moves(c, t):
    # contract returns: each day's move is that of the contract the tenor
    # quotes that day (the month t after the day's), from the curve's
    # previous day; a day the curve has no vol is no move
    w = v[v.curve == c]
    vol = {(r.date, r.contract): r.vol for r in w.itertuples()}
    cd = sorted(set(w.date))
    mv = {b: vol[(b, str(pd.Period(b, "M") + t))] - vol[(a, str(pd.Period(b, "M") + t))] for a, b in zip(cd, cd[1:])}
    return pd.Series(mv).reindex(dates).fillna(0.0), cd[0]
dv, first = {}, []
for (c, t) in book:
    dv[(c, t)], f = moves(c, t)
    first.append(f)
frame = pd.DataFrame(dv)
moves = frame[frame.index > max(first)].iloc[-250:]  # dates before every factor's first vol are dropped
pnl = {"total": 0, "B1": 0, "B2": 0}
for k, (b, vega) in book.items():
    pnl["total"] = pnl["total"] + vega * moves[k].to_numpy()
    pnl[b] = pnl[b] + vega * moves[k].to_numpy()
cube = pd.read_csv("cube.csv")
for p, want in pnl.items():
    got = cube[cube.portfolio == p]
    assert list(got.scenario) == list(moves.index), p
    assert np.allclose(got.pnl.to_numpy(), want, rtol=1e-12, atol=1e-9), (p, np.abs(got.pnl.to_numpy() - want).max())
    L = np.sort(-want); n = len(L); k = math.ceil(n * 0.01)
    row = [r for r in csv.DictReader(open("var.csv")) if r["portfolio"] == p][0]
    assert abs(float(row["var"]) - L[n - k]) <= 1e-9 * abs(L[n - k]), (p, row, L[n - k])
    assert abs(pnl[p]).max() > 0
print("ok")
PY
	assert_success
	assert_output ok
	# without the vol history vega is not used: the book has no position
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv
	assert_failure 3
	[[ "$stderr" == *"every delta and gamma is zero"* ]]
}

@test "vol history: param carries vega (equal to scipy); a vega without a vol history, mixed vol types, a bad row are exit 3" {
	printf 'trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\nT1,B1,NG_HH,2026-12-01,2026-12-31,1,0,0,1000\n' > sens.csv
	run_split qe-var param -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history "$DATA/vol_history.csv" -s sens.csv -o p.csv
	assert_success
	run "$PYORACLE" - "$DATA" <<'PY'
import sys, csv, numpy as np, pandas as pd
from scipy.stats import norm
D = sys.argv[1]
h = pd.read_csv(D + "/history.csv"); v = pd.read_csv(D + "/vol_history.csv")
dates = sorted(set(h.date) | set(v.date))
def moves(c, t):
    # contract returns: each day's move is that of the contract the tenor
    # quotes that day (the month t after the day's), from the curve's
    # previous day; a day the curve has no vol is no move
    w = v[v.curve == c]
    vol = {(r.date, r.contract): r.vol for r in w.itertuples()}
    cd = sorted(set(w.date))
    mv = {b: vol[(b, str(pd.Period(b, "M") + t))] - vol[(a, str(pd.Period(b, "M") + t))] for a, b in zip(cd, cd[1:])}
    return pd.Series(mv).reindex(dates).fillna(0.0), cd[0]
m, first = moves("NG_HH", 1)
d = m[m.index > first].iloc[-250:].to_numpy()
want = norm.ppf(0.99) * 1000 * d.std(ddof=1)
got = float([r for r in csv.DictReader(open("p.csv")) if r["portfolio"] == "total"][0]["var"])
assert abs(got - want) <= 1e-9 * want, (got, want)
print("ok")
PY
	assert_output ok
	printf 'trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\nT1,B1,TTF,2026-12-01,2026-12-31,1,0,0,1000\n' > ttf.csv
	printf 'date,curve,contract,vol,vol_type\n2026-11-24,NG_HH,1,0.5,lognormal\n2026-11-25,NG_HH,1,0.51,lognormal\n' > vh.csv
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history vh.csv -s ttf.csv
	assert_failure 3
	[[ "$stderr" == *"ttf.csv:2: risk factor 'VOL:TTF:1' has no volatility history"* ]] || fail "$stderr"
	printf '2026-11-23,NG_HH,2,12.5,normal\n' >> vh.csv
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history vh.csv -s sens.csv
	assert_failure 3
	[[ "$stderr" == *"vh.csv:4:5: column 'vol_type': curve NG_HH has lognormal vols from line 2: one vol type per curve"* ]] || fail "$stderr"
	printf 'date,curve,contract,vol,vol_type\n2026-11-24,NG_HH,2026-10,0.5,lognormal\n' > vh2.csv
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history vh2.csv -s sens.csv
	assert_failure 3
	[[ "$stderr" == *"vh2.csv:2:3: column 'contract': contract month before the month of date (expired) '2026-10'"* ]] || fail "$stderr"
}

# full revaluation: a clean history of NG_HH and TTF (tenors 0..12, every
# weekday up to the as-of date 2026-11-25), forward curves whose monthly
# quotes are the history's last prices (tenors 1..12), flat 3% rates, one
# NG_HH March 2027 smile, an ATM vol history of tenor 4 (the March
# contract), a linear book and a one-option book
full_market() {
	"$PYORACLE" - "$QE_TOP/tests/var" <<'PY'
import sys; sys.path.insert(0, sys.argv[1])
from synmarket import *
rng, days, last = write_market(11)
asof = ASOF
with open("vols.csv", "w") as f:
    f.write("curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n")
    f.write("NG_HH,%s,2027-03-01,2027-03-31,,0.462,lognormal\n" % asof)
    f.write("NG_HH,%s,2027-03-01,2027-03-31,3.95,0.462,lognormal\n" % asof)
with open("volhist.csv", "w") as f:
    f.write("date,curve,contract,vol,vol_type\n")
    v = 0.45
    for day in days:
        v = max(0.05, v + 0.01 * rng.standard_normal())
        y, m = day.year, day.month + 4
        y += (m - 1) // 12; m = (m - 1) % 12 + 1
        f.write("%s,NG_HH,%04d-%02d,%r,lognormal\n" % (day, y, m, v))
hdr = TRADES_HEADER
with open("linear.csv", "w") as f:
    f.write(hdr)
    f.write("L1,1,new,2026-10-01,GAS_US,t,CME_CLEARING,future,NG_HH,buy,20,lots,4.1,USD,2027-01-01,2027-01-31,gasday,,,,,,,,,\n")
    f.write("L2,1,new,2026-10-01,GAS_US,t,CP001,forward,NG_HH,sell,300000,MMBtu,3.8,USD,2027-05-01,2027-07-31,,,,,,,,,,\n")
    f.write("L3,1,new,2026-10-01,GAS_US,t,CP001,swap,NG_HH,buy,500000,MMBtu,3.9,USD,2027-02-01,2027-03-31,,,,,,,,,,\n")
    f.write("L4,1,new,2026-10-01,GAS_EU,t,CP006,physical,TTF,buy,15,MW,30.5,EUR,2027-04-01,2027-06-30,gasday,,,,,,,,,\n")
    f.write("L5,1,new,2026-10-01,GAS_EU,t,CP006,forward,TTF,sell,20000,MWh,33.0,EUR,2027-09-01,2027-09-30,,,,,,,,,,\n")
with open("option.csv", "w") as f:
    f.write(hdr)
    f.write("O1,1,new,2026-10-01,OPT,t,CME_CLEARING,option,NG_HH,buy,10,lots,0.3,USD,2027-03-01,2027-03-31,gasday,call,3.95,european,2027-02-19,,,,,\n")
with open("empty.csv", "w") as f:
    f.write(hdr)
PY
}

# the inputs of qe-var --full for book $1
full_args() {
	echo --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades "$1" --curves curves.csv \
		--vols vols.csv --rates rates.csv
}

@test "full: a future beyond tenor 12 moves with its own tenor's history, as in the sensitivity mode (bundled data, 1e-9)" {
	# the bundled book's futures delivering 14 or more months out, one version each
	"$PYORACLE" - "$DATA/trades.csv" <<'PY'
import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n = collections.Counter(r["trade_id"] for r in rows)
keep = [r for r in rows if n[r["trade_id"]] == 1 and r["instrument"] == "future"
        and r["status"] == "new" and r["delivery_start"] >= "2028-01-01"]
assert len(keep) >= 5, len(keep)
with open("far.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader(); w.writerows(keep)
PY
	M=(-H "$DATA/history.csv" -m "$DATA/markets.csv" --asof 2026-11-25 -a 0.99,0.95)
	P=(--trades far.csv --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv"
	   --fixings "$DATA/fixings.csv")
	qe-price -q "${P[@]}" --asof 2026-11-25 --markets "$DATA/markets.csv" -o /dev/null --sensitivities sens.csv
	qe-var hs -q "${M[@]}" -s sens.csv -o s.csv
	qe-var hs -q --full "${M[@]}" "${P[@]}" -o f.csv
	run "$PYORACLE" - <<'PY'
import csv
s = {(r["portfolio"], r["alpha"], r["currency"]): float(r["var"]) for r in csv.DictReader(open("s.csv"))}
f = {(r["portfolio"], r["alpha"], r["currency"]): float(r["var"]) for r in csv.DictReader(open("f.csv"))}
assert s.keys() == f.keys() and len(s) >= 4, (s, f)
for k in s:
    assert abs(s[k] - f[k]) <= 1e-9 * abs(s[k]), (k, s[k], f[k])
print("ok")
PY
	assert_output ok
}

@test "full: a linear book has the same VaR in --full and sensitivity mode (1e-9 relative)" {
	full_market
	qe-price --asof 2026-11-25 --trades linear.csv --curves curves.csv --vols vols.csv --rates rates.csv \
		--markets "$DATA/markets.csv" -o val.csv --sens sens.csv
	qe-var hs -q -H history.csv -m "$DATA/markets.csv" -s sens.csv -a 0.99,0.95 > sens_var.csv
	run_split qe-var hs -q $(full_args linear.csv) -a 0.99,0.95 --cube cube.csv
	assert_success
	echo "$output" > full_var.csv
	run "$PYORACLE" - <<'PY'
import csv
s = {(r["portfolio"], r["alpha"], r["currency"]): r for r in csv.DictReader(open("sens_var.csv"))}
f = {(r["portfolio"], r["alpha"], r["currency"]): r for r in csv.DictReader(open("full_var.csv"))}
assert set(s) == set(f) and len(s) == 8, (sorted(s), sorted(f))
for k in s:
    assert f[k]["method"] == "hs-full" and s[k]["method"] == "hs", k
    assert f[k]["scenarios"] == s[k]["scenarios"] == "250", k
    for col in ("var", "es"):
        a, b = float(s[k][col]), float(f[k][col])
        assert b > 0 and abs(a - b) <= 1e-9 * abs(a), (k, col, a, b)
print("ok")
PY
	assert_output "ok"
	# the cube has every portfolio x scenario, as of the run
	[ "$(tail -n +2 cube.csv | wc -l)" -eq $((4 * 250)) ]
	head -2 cube.csv | tail -1 | grep -q ',2026-11-25$'
}

@test "full: one Black-76 option under a stress shock and under vol-history scenarios equals QuantLib" {
	full_market
	printf 'scenario,curve,tenor,shock,type\nup10,NG_HH,4,0.1,rel\ndown2,NG_HH,4,-2,abs\n' > shocks.csv
	# vol shocks (absolute vol changes) alone and with a forward shock;
	# "*" moves prices only
	printf 'volup,VOL:NG_HH,4,0.05,abs\nboth,NG_HH,,0.1,rel\nboth,VOL:NG_HH,,-0.08,abs\nall,*,,0.1,rel\n' >> shocks.csv
	run_split qe-var stress -q $(full_args option.csv) --shocks shocks.csv --vol-history volhist.csv
	assert_success
	echo "$output" > stress.csv
	# the oracle moves tenor 4 by its constant-maturity return
	run_split qe-var hs -q $(full_args option.csv) --vol-history volhist.csv --window 20 -a 0.95 --cube hs.csv \
		--returns constant-maturity
	assert_success
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np, pandas as pd
import QuantLib as ql
K, Q, r = 3.95, 10 * 10000.0, 0.03
T = (dt.date(2027, 2, 19) - dt.date(2026, 11, 25)).days / 365.0
D = math.exp(-r * T)
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv"))
     if x["curve"] == "NG_HH" and x["delivery_start"] == "2027-03-01"][0]
def value(f, vol):
    return Q * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, K), f, vol * math.sqrt(T), D).value()
base = value(F, 0.462)
h = pd.read_csv("history.csv")
hist = h[(h.curve == "NG_HH") & (h.tenor == 4)].set_index("date").price
got = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("stress.csv")) if x["portfolio"] == "OPT"}
Fh = hist.iloc[-1]
want = {"up10": value(F * 1.1, 0.462) - base,
        "down2": value(F * (1 - 2 / Fh), 0.462) - base,
        "volup": value(F, 0.462 + 0.05) - base,
        "both": value(F * 1.1, 0.462 - 0.08) - base,
        "all": value(F * 1.1, 0.462) - base}
for k in want:
    assert abs(got[k] - want[k]) <= 1e-9 * abs(want[k]), (k, got[k], want[k])
v = pd.read_csv("volhist.csv").set_index("date").vol
cube = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("hs.csv")) if x["portfolio"] == "OPT"}
assert len(cube) == 20
dates = list(hist.index)
for day, pnl in cube.items():
    i = dates.index(day)
    ret = math.log(hist.iloc[i] / hist.iloc[i - 1])
    dv = v.loc[day] - v.iloc[list(v.index).index(day) - 1]
    w = value(F * math.exp(ret), 0.462 + dv) - base
    assert abs(pnl - w) <= 1e-9 * max(abs(w), 1.0), (day, pnl, w)
print("ok")
PY
	assert_output "ok"
}

@test "full: hs --full on the bundled data runs and its VaR is finite; the same for any thread count" {
	B="--full --asof 2026-11-25 -H $DATA/history.csv -m $DATA/markets.csv --trades $DATA/trades.csv
	   --curves $DATA/curves.csv --vols $DATA/vols.csv --rates $DATA/rates.csv --fixings $DATA/fixings.csv"
	OMP_NUM_THREADS=1 qe-var hs -q $B --window 30 -a 0.95 > one.csv
	run_split env OMP_NUM_THREADS=2 qe-var hs -q $B --window 30 -a 0.95
	assert_success
	echo "$output" > two.csv
	cmp one.csv two.csv
	run "$PYORACLE" - <<'PY'
import csv, math
rows = list(csv.DictReader(open("two.csv")))
assert len(rows) >= 3 and rows[0]["portfolio"] == "total"
for r in rows:
    assert r["method"] == "hs-full" and r["scenarios"] == "30"
    assert math.isfinite(float(r["var"])) and float(r["var"]) > 0, r
print("ok")
PY
	assert_output "ok"
}

@test "full: mc --full of a linear book has the VaR of mc with the same seed (1e-9); same bytes at 1 and 2 threads" {
	full_market
	qe-price --asof 2026-11-25 --trades linear.csv --curves curves.csv --vols vols.csv --rates rates.csv \
		--markets "$DATA/markets.csv" -o val.csv --sens sens.csv
	# 5000 paths: a full block of 4096 and a partial one
	qe-var mc -q -H history.csv -m "$DATA/markets.csv" -s sens.csv -a 0.99,0.95 --paths 5000 --seed 3 \
		> sens_var.csv
	OMP_NUM_THREADS=1 qe-var mc -q $(full_args linear.csv) -a 0.99,0.95 --paths 5000 --seed 3 \
		--cube cube1.csv > one.csv
	run_split env OMP_NUM_THREADS=2 qe-var mc -q $(full_args linear.csv) -a 0.99,0.95 --paths 5000 --seed 3 \
		--cube cube2.csv
	assert_success
	echo "$output" > full_var.csv
	cmp one.csv full_var.csv
	cmp cube1.csv cube2.csv
	run "$PYORACLE" - <<'PY'
import csv
s = {(r["portfolio"], r["alpha"], r["currency"]): r for r in csv.DictReader(open("sens_var.csv"))}
f = {(r["portfolio"], r["alpha"], r["currency"]): r for r in csv.DictReader(open("full_var.csv"))}
assert set(s) == set(f) and len(s) == 8, (sorted(s), sorted(f))
for k in s:
    assert f[k]["method"] == "mc-full" and s[k]["method"] == "mc-normal", k
    assert f[k]["scenarios"] == s[k]["scenarios"] == "5000", k
    for col in ("var", "es"):
        a, b = float(s[k][col]), float(f[k][col])
        assert b > 0 and abs(a - b) <= 1e-9 * abs(a), (k, col, a, b)
print("ok")
PY
	assert_output "ok"
	[ "$(tail -n +2 cube2.csv | wc -l)" -eq $((4 * 5000)) ]
	# Student-t shocks: the same paths in both modes too
	qe-var mc -q -H history.csv -m "$DATA/markets.csv" -s sens.csv --paths 3000 --dist t --df 4 | cut -d, -f1,6 > t_sens.csv
	qe-var mc -q $(full_args linear.csv) --paths 3000 --dist t --df 4 > t_full.csv
	grep -q ',mc-t-full,' t_full.csv
	run "$PYORACLE" - <<'PY'
import csv
s = [float(r["var"]) for r in csv.DictReader(open("t_sens.csv"))]
f = [float(r["var"]) for r in csv.DictReader(open("t_full.csv"))]
assert len(s) == len(f) == 4 and all(abs(a - b) <= 1e-9 * abs(a) for a, b in zip(s, f)), (s, f)
print("ok")
PY
	assert_output "ok"
}

@test "full: mc --full P&L of each path of one Black-76 option equals QuantLib on the path's forward" {
	full_market
	run_split qe-var mc -q $(full_args option.csv) -a 0.95 --paths 300 --seed 9 --factor-returns ret.csv \
		--cube cube.csv --returns constant-maturity
	assert_success
	echo "$output" > var.csv
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np
import QuantLib as ql
K, Q, r = 3.95, 10 * 10000.0, 0.03
T = (dt.date(2027, 2, 19) - dt.date(2026, 11, 25)).days / 365.0
D = math.exp(-r * T)
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv"))
     if x["curve"] == "NG_HH" and x["delivery_start"] == "2027-03-01"][0]
def value(f):
    return Q * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, K), f, 0.462 * math.sqrt(T), D).value()
base = value(F)
ret = list(csv.DictReader(open("ret.csv")))
assert {x["factor"] for x in ret} == {"NG_HH:4"} and len(ret) == 300, len(ret)
rets = {x["scenario"]: float(x["return"]) for x in ret}
cube = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("cube.csv")) if x["portfolio"] == "OPT"}
assert set(cube) == set(rets) and len(cube) == 300
want = {}
for k, x in rets.items():
    want[k] = value(F * math.exp(x)) - base
    assert abs(cube[k] - want[k]) <= 1e-9 * max(abs(want[k]), 1.0), (k, cube[k], want[k])
# the returns are draws of a normal law with the variance of the history's
# last 250 returns of tenor 4 (300 draws: within 15%)
import pandas as pd
h = pd.read_csv("history.csv")
sd = np.std(np.diff(np.log(h[(h.curve == "NG_HH") & (h.tenor == 4)].price.values))[-250:], ddof=1)
assert 0.85 < np.std(list(rets.values()), ddof=1) / sd < 1.15, (np.std(list(rets.values())), sd)
# VaR: the 15th worst loss of 300 (kth)
losses = sorted(-v for v in want.values())[::-1]
row = list(csv.DictReader(open("var.csv")))[0]
assert row["method"] == "mc-full" and row["scenarios"] == "300"
assert abs(float(row["var"]) - losses[14]) <= 1e-9 * losses[14], (row["var"], losses[13:16])
print("ok")
PY
	assert_output "ok"
	# usage: --factor-returns is for --full; -s with --full
	run_split qe-var mc -q -H history.csv -m "$DATA/markets.csv" -s sens.csv --factor-returns r.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: mc: --factor-returns needs --full"* ]]
	run_split qe-var mc $(full_args option.csv) -s sens.csv
	[ "$status" -eq 2 ]
}

@test "full: usage errors: -s with --full, a missing --trades, pricer options without --full" {
	full_market
	run_split qe-var hs $(full_args linear.csv) -s sens.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: --full reprices the book of --trades; -s FILE is for the sensitivity mode"* ]]
	run_split qe-var hs --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --curves curves.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: --full needs --asof, --trades, --curves and --markets"* ]]
	run_split qe-var hs -H history.csv -m "$DATA/markets.csv" -s sens.csv --trades linear.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: hs: --trades, --curves"*"need --full"* ]]
	run_split qe-var stress $(full_args linear.csv) -s sens.csv --worst
	[ "$status" -eq 2 ]
	run_split qe-var whatif $(full_args linear.csv | sed 's/--full//')
	[ "$status" -eq 2 ]
	[[ "$stderr" == "qe-var: whatif: missing --new FILE"* ]]
	# a trade the pricer refuses is exit 3 naming it, nothing written
	sed 's/^L2,1,new,2026-10-01,GAS_US,t,CP001,forward,NG_HH/L2,1,new,2026-10-01,GAS_US,t,CP001,forward,NOPE/' linear.csv > bad.csv
	run_split qe-var hs $(full_args bad.csv) -o out.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"L2"* ]]
	[ ! -e out.csv ]
}

@test "full: whatif incremental VaR equals numpy on the two cubes; an empty new book adds 0; --cube reuses the book's" {
	full_market
	# the book: the linear trades; the new trade: the option
	qe-var hs -q $(full_args linear.csv) -a 0.99,0.95 --cube book.csv > /dev/null
	{ cat linear.csv; tail -n +2 option.csv; } > both.csv
	qe-var hs -q $(full_args both.csv) -a 0.99,0.95 --cube after.csv > /dev/null
	run_split qe-var whatif $(full_args linear.csv | sed 's/--full//') --new option.csv -a 0.99,0.95
	assert_success
	echo "$output" > whatif.csv
	run_split qe-var whatif $(full_args linear.csv | sed 's/--full//') --new option.csv -a 0.99,0.95 --cube book.csv
	assert_success
	echo "$output" > whatif_cube.csv
	cmp whatif.csv whatif_cube.csv
	run "$PYORACLE" - <<'PY'
import csv, math
import numpy as np
def cube(p):
    c = {}
    for r in csv.DictReader(open(p)):
        c.setdefault(r["portfolio"], {})[r["scenario"]] = float(r["pnl"])
    return c
def kth(pnl, a):
    loss = np.sort(-np.asarray(pnl))[::-1]
    k = math.ceil(round(len(loss) * (1 - a), 9))
    return loss[k - 1], loss[:k].mean()
b, f = cube("book.csv"), cube("after.csv")
rows = list(csv.DictReader(open("whatif.csv")))
assert [r["portfolio"] for r in rows[::2]] == ["total/USD", "total/EUR", "GAS_US", "GAS_EU", "OPT"], rows
for r in rows:
    p, a = r["portfolio"], float(r["alpha"])
    sc = sorted(f[p])
    vb, eb = kth([b[p][s] for s in sc], a) if p in b else (0.0, 0.0)
    va, ea = kth([f[p][s] for s in sc], a)
    for col, want in (("var_before", vb), ("var_after", va), ("incremental_var", va - vb),
                      ("es_before", eb), ("es_after", ea)):
        got = float(r[col])
        assert abs(got - want) <= 1e-9 * max(abs(want), 1.0), (p, a, col, got, want)
print("ok")
PY
	assert_output "ok"
	run_split qe-var whatif $(full_args linear.csv | sed 's/--full//') --new empty.csv
	assert_success
	echo "$output" | tail -n +2 | awk -F, '{ if ($5 != 0 || $3 != $4) exit 1 }'
	[ "$(echo "$output" | head -1)" = "portfolio,alpha,var_before,var_after,incremental_var,es_before,es_after,currency,asof" ]
}

@test "stress: VOL:CURVE rows shock the vol factors, P&L vega x dvol (+ delta x dF); '*' moves prices only; a rel vol shock is exit 3" {
	printf 'trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega\nT1,B1,NG_HH,2026-12-01,2026-12-31,1,2000,0,1000\n' > sens.csv
	printf 'scenario,curve,tenor,shock,type\nvolup,VOL:NG_HH,1,0.05,abs\nboth,NG_HH,1,0.1,abs\nboth,VOL:NG_HH,,-0.02,abs\nall,*,,0.1,abs\n' > shocks.csv
	run_split qe-var stress -q -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history "$DATA/vol_history.csv" \
		-s sens.csv --shocks shocks.csv
	assert_success
	echo "$output" > st.csv
	run "$PYORACLE" - <<'PY'
import csv
got = {r["scenario"]: float(r["pnl"]) for r in csv.DictReader(open("st.csv")) if r["portfolio"] == "B1"}
want = {"volup": 1000 * 0.05, "both": 2000 * 0.1 + 1000 * -0.02, "all": 2000 * 0.1}
for k, w in want.items():
    assert abs(got[k] - w) <= 1e-9 * abs(w), (k, got[k], w)
print("ok")
PY
	assert_output ok
	printf 'scenario,curve,tenor,shock,type\nbad,VOL:NG_HH,1,0.05,rel\n' > bad.csv
	run_split qe-var stress -q -H "$DATA/history.csv" -m "$DATA/markets.csv" --vol-history "$DATA/vol_history.csv" \
		-s sens.csv --shocks bad.csv -o out.csv
	assert_failure 3
	[[ "$stderr" == *"bad.csv:2:5: column 'type': a vol shock (curve VOL:NG_HH) is an absolute vol change: type abs"* ]] || fail "$stderr"
	[ ! -e out.csv ]
}

@test "dates: scenarios are the union of business days; a market closed by its calendar has no move that day (numpy)" {
	cp "$DATA/markets.csv" markets.csv
	cp -r "$DATA/calendars" calendars
	printf 'trade_id,book,curve,tenor,delta\n' > sens.csv
	printf 'U1,US,NG_HH,2,100000\nU2,US,CL_WTI,1,-20000\nE1,EU,TTF,2,50000\nE2,EU,EUA,1,30000\nI1,ICE,BRENT,2,-25000\n' >> sens.csv
	# closed days are not gaps: --gaps error accepts the bundled history, ffill fills nothing
	run_split qe-var hs -H "$DATA/history.csv" -m markets.csv -s sens.csv --returns constant-maturity \
		-a 0.99,0.95 --window 500 --gaps error -o hs.csv --cube cube.csv
	assert_success
	run_split qe-var hs -H "$DATA/history.csv" -m markets.csv -s sens.csv --returns constant-maturity -a 0.99
	assert_success
	[[ "$stderr" != *"filled forward"* ]] || fail "$stderr"
	run "$PYORACLE" - "$DATA/history.csv" <<'PY'
import csv, math, sys, datetime as dt, numpy as np
cal = {r["curve"]: r["calendar"] for r in csv.DictReader(open("markets.csv"))}
hol = {}
for name in set(cal.values()):
    try:
        lines = open("calendars/%s.txt" % name).read().splitlines()
    except FileNotFoundError:
        continue
    hol[name] = {l.split("#")[0].strip() for l in lines if l.split("#")[0].strip()}
def is_open(curve, d):
    return dt.date.fromisoformat(d).weekday() < 5 and d not in hol[cal[curve]]
px = {}
for r in csv.DictReader(open(sys.argv[1])):
    # the bundled history follows the exchange calendars: no row on a closed day
    assert cal[r["curve"]] not in hol or is_open(r["curve"], r["date"]), r
    px.setdefault((r["curve"], int(r["tenor"])), {})[r["date"]] = float(r["price"])
dates = sorted({d for s in px.values() for d in s})
book = {"US": {("NG_HH", 2): 1e5, ("CL_WTI", 1): -2e4},
        "EU": {("TTF", 2): 5e4, ("EUA", 1): 3e4}, "ICE": {("BRENT", 2): -2.5e4}}
def rets(key):
    s = px[key]; out = []; last = s[dates[0]]
    for d in dates[1:]:
        if d in s:
            out.append(math.log(s[d] / last)); last = s[d]
        else:
            assert not is_open(key[0], d), (key, d)  # a closed day: no move
            out.append(0.0)
    return np.array(out)
sc = dates[1:][-500:]
pnl = {}
for b, pos in book.items():
    pnl[b] = sum(q * px[k][dates[-1]] * np.expm1(rets(k)[-500:]) for k, q in pos.items())
pnl["total/USD"] = pnl["US"] + pnl["ICE"]; pnl["total/EUR"] = pnl["EU"]
# the US holidays of the window: the US book has no move, the EU book does
for d in ("2025-11-27", "2026-07-03", "2026-01-19", "2026-09-07"):
    i = sc.index(d)
    assert pnl["US"][i] == 0 and pnl["EU"][i] != 0 and pnl["ICE"][i] != 0, (d, pnl["US"][i], pnl["EU"][i])
# ICE Europe closed, NYMEX open (Boxing Day): the other way round
i = sc.index("2025-12-26")
assert pnl["EU"][i] == 0 and pnl["ICE"][i] == 0 and pnl["US"][i] != 0
cube = {}
for r in csv.DictReader(open("cube.csv")):
    cube.setdefault(r["portfolio"], {})[r["scenario"]] = float(r["pnl"])
n = 0
for r in csv.DictReader(open("hs.csv")):
    name = r["portfolio"] if r["portfolio"] != "total" else "total/" + r["currency"]
    p = pnl[name]
    assert int(r["scenarios"]) == 500
    np.testing.assert_allclose([cube[name][d] for d in sc], p, rtol=1e-9, atol=1e-6)
    L = np.sort(-p); k = math.ceil(500 * (1 - float(r["alpha"])) - 1e-9)
    assert abs(float(r["var"]) - L[500 - k]) <= 1e-9 * abs(L[500 - k]), (r, L[500 - k])
    assert abs(float(r["es"]) - L[500 - k:].mean()) <= 1e-9 * abs(L[500 - k:].mean()), r
    n += 1
assert n == 10, n
print("ok")
PY
	assert_success
	# a price missing on a day its exchange was open stays a gap
	grep -v '^2026-06-10,TTF,2,' "$DATA/history.csv" > gap.csv
	run_split qe-var hs -H gap.csv -m markets.csv -s sens.csv --returns constant-maturity --gaps error
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no price for factor 'TTF:2' on 2026-06-10"* ]] || fail "$stderr"
	run_split qe-var hs -H gap.csv -m markets.csv -s sens.csv --returns constant-maturity
	assert_success
	[[ "$stderr" == *"history: 1 missing prices filled forward (first: TTF:2 on 2026-06-10)"* ]] || fail "$stderr"
}

@test "full: a spread's Kirk correlation comes from -H (as qe-price -H prints it); --spread-corr overrides" {
	{ head -1 "$DATA/trades.csv"; grep -E '^T00000011,' "$DATA/trades.csv"; } > t.csv
	P="--asof 2026-11-25 --markets $DATA/markets.csv --trades t.csv --curves $DATA/curves.csv
	   --vols $DATA/vols.csv --rates $DATA/rates.csv --fixings $DATA/fixings.csv"
	run_split qe-price $P -H "$DATA/history.csv" -o /dev/null
	assert_success
	rho=$(sed -n 's/.*Kirk correlation CL_WTI\/HO_ULSD \([-0-9.]*\) from.*/\1/p' <<< "$stderr")
	[ -n "$rho" ]
	# the printed correlation is numpy's (to its 6 decimals)
	run "$PYORACLE" - "$DATA/history.csv" "$rho" <<'PY'
import csv, sys, numpy as np
px = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["tenor"] == "1" and r["curve"] in ("CL_WTI", "HO_ULSD"):
        px.setdefault(r["curve"], {})[r["date"]] = float(r["price"])
d = sorted(set(px["CL_WTI"]) & set(px["HO_ULSD"]))
x, y = (np.diff(np.log([px[c][t] for t in d])) for c in ("CL_WTI", "HO_ULSD"))
rho = np.corrcoef(x, y)[0, 1]
assert abs(rho - float(sys.argv[2])) < 5e-7, (rho, sys.argv[2])
open("rho.txt", "w").write("%.17g" % rho)
PY
	assert_success
	V="-q --full $P -H $DATA/history.csv --window 60 -a 0.95"
	qe-var hs $V > hist.csv
	qe-var hs $V --spread-corr "$(cat rho.txt)" > given.csv
	qe-var hs $V --spread-corr 0.8 > const.csv
	run "$PYORACLE" - <<'PY'
import csv
h, g, c = (next(csv.DictReader(open(f))) for f in ("hist.csv", "given.csv", "const.csv"))
assert abs(float(h["var"]) - float(g["var"])) <= 1e-9 * float(g["var"]), (h, g)
assert float(h["var"]) != float(c["var"]), (h, c)
print("ok")
PY
	assert_output "ok"
}

# an FX history for full_market: EUR per USD on each date of history.csv,
# and today's rate in fx.csv (USD per EUR, its inverse)
fx_history_market() {
	"$PYORACLE" - <<'PY'
import numpy as np, pandas as pd
rng = np.random.default_rng(12)
dates = sorted(set(pd.read_csv("history.csv").date))
r = 0.92 * np.exp(np.cumsum(0.005 * rng.standard_normal(len(dates))))
with open("fxh.csv", "w") as f:
    f.write("date,currency,rate\n")
    for d, v in zip(dates, r):
        f.write("%s,EUR,%r\n" % (d, v))
with open("fx.csv", "w") as f:
    f.write("currency,rate\nUSD,1\nEUR,%r\n" % (1 / r[-1]))
PY
}

@test "full: --fx-history makes FX:EUR a factor: VaR in USD of a EUR/USD book equals numpy; an all-USD book is unchanged" {
	full_market
	fx_history_market
	qe-price --asof 2026-11-25 --trades linear.csv --curves curves.csv --vols vols.csv --rates rates.csv \
		--markets "$DATA/markets.csv" -o val.csv --sens sens.csv
	B="$(full_args linear.csv) --returns constant-maturity --fx fx.csv --base USD -a 0.99,0.95"
	run_split qe-var hs -q $B --fx-history fxh.csv
	assert_success
	echo "$output" > fxvar.csv
	run "$PYORACLE" - <<'PY'
import csv, math, numpy as np, pandas as pd
from fractions import Fraction
h = pd.read_csv("history.csv")
P = h.pivot_table(index="date", columns=["curve", "tenor"], values="price").sort_index()
R = np.log(P).diff().iloc[1:].iloc[-250:]
fx = pd.read_csv("fxh.csv").set_index("date").rate
x = np.log(fx).diff().loc[R.index].to_numpy()
usd_per_eur = float(pd.read_csv("fx.csv").set_index("currency").rate["EUR"])
last = P.iloc[-1]
sens, val = pd.read_csv("sens.csv"), pd.read_csv("val.csv")
pnl = {}
for _, t in val.iterrows():
    dv = np.zeros(len(R))
    for _, s in sens[sens.trade_id == t.trade_id].iterrows():
        k = (s.curve, int(s.tenor))
        dF = last[k] * np.expm1(R[k].to_numpy())
        dv += s.delta * dF + 0.5 * s.gamma * dF ** 2
    # base P&L = (V + dV) / rate_scen - V / rate_today, rate in EUR per USD
    p = ((t.npv + dv) * np.exp(-x) - t.npv) * usd_per_eur if t.currency == "EUR" else dv
    for pf in ("total", t.book):
        pnl[pf] = pnl.get(pf, 0) + p
got = {(r["portfolio"], r["alpha"]): r for r in csv.DictReader(open("fxvar.csv"))}
assert set(got) == {(p, a) for p in ("total", "GAS_US", "GAS_EU") for a in ("0.99", "0.95")}, sorted(got)
for (pf, a), r in got.items():
    assert r["currency"] == "USD" and r["scenarios"] == "250", r
    loss = np.sort(-pnl[pf])[::-1]
    k = math.ceil(len(loss) * (1 - Fraction(a)))
    for col, want in (("var", loss[k - 1]), ("es", loss[:k].mean())):
        assert abs(float(r[col]) - want) <= 1e-9 * abs(want), (pf, a, col, r[col], want)
print("ok")
PY
	assert_output "ok"
	# FX risk is in it: GAS_EU's VaR differs from the run at today's rate
	qe-var hs -q $B | grep '^GAS_EU,' > nofx.csv
	grep '^GAS_EU,' fxvar.csv | cmp -s - nofx.csv && fail "--fx-history changed nothing"
	# an all-USD book: the same VaR with and without the FX history
	qe-var hs -q $(full_args option.csv) --fx fx.csv --base USD > usd.csv
	run_split qe-var hs -q $(full_args option.csv) --fx fx.csv --base USD --fx-history fxh.csv
	assert_success
	[ "$output" = "$(cat usd.csv)" ] || fail "all-USD book changed: $output vs $(cat usd.csv)"
}

@test "full: a bad FX history is exit 3 at file:line:col; --fx-history needs --fx and --base" {
	full_market
	fx_history_market
	B="$(full_args linear.csv) --fx fx.csv --base USD"
	# a date of the history missing: the line of the next rate
	sed '101d' fxh.csv > gap.csv
	day=$(sed -n 101p fxh.csv | cut -d, -f1)
	run_split qe-var hs -q $B --fx-history gap.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"gap.csv:101:1: no EUR rate on $day, a date of the price history"* ]] || fail "$stderr"
	# a rate that is not positive
	sed '51s/,[^,]*$/,-0.9/' fxh.csv > neg.csv
	run_split qe-var hs -q $B --fx-history neg.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"neg.csv:51:3: "*"not a positive rate '-0.9'"* ]] || fail "$stderr"
	[ -z "$output" ]
	run_split qe-var hs -q $(full_args linear.csv) --fx-history fxh.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--fx-history"* ]] || fail "no --fx: $status $stderr"
	# the sensitivity mode takes it with --valuations (tests/varfx.bats)
	run_split qe-var hs -q -H history.csv -m "$DATA/markets.csv" -s x.csv --fx fx.csv --base USD --fx-history fxh.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--fx-history and --valuations go together"* ]] || fail "-s: $status $stderr"
}

@test "hs --timing: the P&L matrix step and the price changes it multiplies are timed apart" {
	make_market
	run_split qe-var hs -q --timing -H history.csv -m markets.csv -s sens.csv --window 250 -o t.csv
	assert_success
	# the GFLOP/s of bench/var divide by the matrix step alone
	[[ "$stderr" =~ timing:\ pnl\ [0-9]+\.[0-9]{6}\ s,\ measures\ [0-9]+\.[0-9]{6}\ s,\ scenarios\ [0-9]+\.[0-9]{6}\ s$ ]] ||
		fail "$stderr"
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 250 -o plain.csv
	cmp t.csv plain.csv
}
