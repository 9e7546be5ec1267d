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
	assert_line --index 1 "P,0.95,kth,100,96,98"
	assert_line --index 2 "P,0.99,kth,100,100,100"
	run_split qe-var measures -a 0.95 --quantile linear t.csv
	assert_line --index 1 "P,0.95,linear,100,95.05,98"
}

@test "measures: too few scenarios, gaps, duplicates, NaN and empty input are refused" {
	{ echo portfolio,scenario,pnl; for i in $(seq 1 50); do echo "P,d$i,$i"; done; } > few.csv
	run_split qe-var measures -a 0.99 -o out.csv few.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"portfolio P: 50 scenarios are too few for confidence 0.99 (need at least 100)"* ]]
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
	assert_line --index 1 "A,0.5,kth,4,0,5e+299"
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
	assert_line --index 0 "observations,exceptions,expected,alpha,kupiec_lr,kupiec_p,ind_lr,ind_p,cc_lr,cc_p,zone,result"
	[[ "${lines[1]}" == 250,2,2.5*,0.99,*,green,accept ]]
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
