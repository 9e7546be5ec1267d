#!/usr/bin/env bats
# The sensitivity (fast) mode of qe-var and the rows of qe-price it reads:
# cross-gammas of spread options and theta over --horizon.
# Oracles: a Kirk formula written here in python, numpy.

load helpers

@test "sens: qe-price writes each spread's cross-gamma d2V/dF1dF2 as a row naming both factors (python Kirk)" {
	run_split qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" \
		--vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" \
		--markets "$DATA/markets.csv" -o v.csv --sensitivities s.csv
	assert_success
	run "$PYORACLE" - <<'PY'
import math, pandas as pd
from scipy.stats import norm
s = pd.read_csv("s.csv", keep_default_na=False); v = pd.read_csv("v.csv")
assert list(s.columns[-3:]) == ["theta", "curve2", "tenor2"], list(s.columns)
# every Kirk trade has cross rows, nothing else has
cross = s[s.curve2 != ""]
assert set(cross.trade_id) == set(v[v.model == "kirk"].trade_id)
assert (cross.delta.astype(float) == 0).all() and (cross.theta.astype(float) == 0).all()
# T00000029: sell 2300 MWh DE_PEAK - 2.14 TTF, put, K 45, expiry 2026-11-27,
# one December quote per leg, ATM vols of vols.csv, correlation 0.8 (default)
def kirk(F1, F2, K=45.0, v1=0.5977, v2=0.6996, rho=0.8, a=2.14, T=2 / 365):
    G = a * F2 + K; b = a * F2 / G
    sig = math.sqrt(v1 * v1 - 2 * rho * v1 * v2 * b + v2 * v2 * b * b)
    d1 = (math.log(F1 / G) + 0.5 * sig * sig * T) / (sig * math.sqrt(T)); d2 = d1 - sig * math.sqrt(T)
    return G * norm.cdf(-d2) - F1 * norm.cdf(-d1)   # put, undiscounted
# steps small enough that the differences are the derivatives to 1e-7
F1, F2 = 126.2, 36.055; h1, h2 = 2e-5 * F1, 2e-5 * F2
g11 = (kirk(F1 + h1, F2) - 2 * kirk(F1, F2) + kirk(F1 - h1, F2)) / h1 ** 2
g12 = (kirk(F1 + h1, F2 + h2) - kirk(F1 + h1, F2 - h2) - kirk(F1 - h1, F2 + h2) + kirk(F1 - h1, F2 - h2)) / (4 * h1 * h2)
d1 = (kirk(F1 + h1, F2) - kirk(F1 - h1, F2)) / (2 * h1); d2 = (kirk(F1, F2 + h2) - kirk(F1, F2 - h2)) / (2 * h2)
t = s[s.trade_id == "T00000029"]
leg1 = t[(t.curve == "DE_PEAK") & (t.curve2 == "")].iloc[0]; leg2 = t[t.curve == "TTF"].iloc[0]
x = t[t.curve2 != ""]
assert len(x) == 1 and x.curve.iloc[0] == "DE_PEAK" and x.curve2.iloc[0] == "TTF" and int(x.tenor2.iloc[0]) == 1, x
# the position scale (quantity, side, discount) cancels in the ratios
assert abs(float(leg2.delta) / float(leg1.delta) / (d2 / d1) - 1) < 2e-5, (leg2.delta, leg1.delta, d2 / d1)
ratio = float(x.gamma.iloc[0]) / float(leg1.gamma)
assert abs(ratio / (g12 / g11) - 1) < 2e-5, (ratio, g12 / g11)
print("ok")
PY
	assert_output ok
}

# a history of two log curves, tenors 0 and 1, 300 weekdays
make_history() {
	"$PYORACLE" - <<'PY'
import numpy as np, datetime
rng = np.random.default_rng(11)
days, d = [], datetime.date(2025, 1, 1)
while len(days) < 300:
    if d.weekday() < 5: days.append(d)
    d += datetime.timedelta(days=1)
with open("history.csv", "w") as f, open("markets.csv", "w") as g:
    f.write("date,curve,tenor,price\n"); g.write("curve,returns,unit\n")
    for c, p0 in (("PWR", 100.0), ("GAS", 30.0)):
        g.write("%s,log,MWh\n" % c)
        for ten in (0, 1):
            p = p0
            for dd in days:
                p *= np.exp(0.03 * rng.standard_normal())
                f.write("%s,%s,%d,%r\n" % (dd.isoformat(), c, ten, p))
PY
}

# the scenario P&L numpy expects: delta-gamma plus g dF1 dF2 per cross row,
# plus theta x N with --horizon N
pnl_oracle() {
	"$PYORACLE" - "$@" <<'PY'
import csv, sys, numpy as np
cube, horizon, book = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = list(csv.DictReader(open("history.csv")))
dates = sorted({r["date"] for r in rows}); fac = sorted({"%s:%s" % (r["curve"], r["tenor"]) for r in rows})
P = np.zeros((len(dates), len(fac)))
for r in rows: P[dates.index(r["date"]), fac.index("%s:%s" % (r["curve"], r["tenor"]))] = float(r["price"])
R = np.log(P[horizon:] / P[:-horizon])[-250:]
dF = P[-1] * np.expm1(R)
want = np.zeros(250)
for r in csv.DictReader(open("sens.csv")):
    if book != "total" and r["book"] != book: continue
    i = fac.index("%s:%s" % (r["curve"], r["tenor"]))
    g = float(r["gamma"] or 0)
    if r.get("curve2"):
        want += g * dF[:, i] * dF[:, fac.index("%s:%s" % (r["curve2"], r["tenor2"]))]
    else:
        want += float(r["delta"]) * dF[:, i] + 0.5 * g * dF[:, i] ** 2
    if sys.argv[4] == "theta": want += float(r.get("theta") or 0) * horizon
got = np.array([float(r["pnl"]) for r in csv.DictReader(open(cube)) if r["portfolio"] == book])
assert len(got) == 250
err = np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
assert err < 1e-12, err
print("ok")
PY
}

@test "sens: qe-var's delta-gamma P&L adds g dF_i dF_j for a cross-gamma row and theta x N with --horizon N" {
	make_history
	cat > sens.csv <<'CSV'
trade_id,book,curve,delivery_start,delivery_end,tenor,delta,gamma,vega,theta,curve2,tenor2
S1,B1,PWR,2026-02-01,2026-02-28,1,250,-40,900,-35.5,,
S1,B1,GAS,2026-02-01,2026-02-28,1,-530,-120,300,0,,
S1,B1,PWR,2026-02-01,2026-02-28,1,0,85,0,0,GAS,1
S2,B2,GAS,2026-01-01,2026-01-31,0,1000,20,0,-2.25,,
S2,B2,PWR,2026-01-01,2026-01-31,0,0,-7.5,0,0,PWR,0
CSV
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 250 -o /dev/null --cube c1.csv
	for b in total B1 B2; do
		run pnl_oracle c1.csv 1 $b none
		assert_output ok
	done
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 250 --horizon 5 -o /dev/null --cube c5.csv
	for b in total B1 B2; do
		run pnl_oracle c5.csv 5 $b theta
		assert_output ok
	done
	# --horizon 1 given: one day of theta; not given: none
	qe-var hs -q -H history.csv -m markets.csv -s sens.csv --window 250 --horizon 1 -o /dev/null --cube h1.csv
	run pnl_oracle h1.csv 1 total theta
	assert_output ok
	# a cross row with a delta is refused, naming it
	sed 's/^S1,B1,PWR,2026-02-01,2026-02-28,1,0,85/S1,B1,PWR,2026-02-01,2026-02-28,1,3,85/' sens.csv > bad.csv
	run_split qe-var hs -q -H history.csv -m markets.csv -s bad.csv --window 250
	[ "$status" -eq 3 ]
	one_diagnostic bad.csv 4:7 "a cross-gamma row (curve2 GAS) has a delta or theta"
}

@test "sens: qe-price's theta column is the value change for one calendar day, on each trade's first row" {
	run_split qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" \
		--vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" \
		--markets "$DATA/markets.csv" -o v.csv --sensitivities s.csv
	assert_success
	run "$PYORACLE" - <<'PY'
import math, pandas as pd
from scipy.stats import norm
s = pd.read_csv("s.csv", keep_default_na=False); v = pd.read_csv("v.csv").set_index("trade_id")
s["theta"] = s.theta.astype(float)
first = s.groupby("trade_id").head(1)
assert (s.drop(first.index).theta == 0).all()
t = first.set_index("trade_id").theta
assert ((t - v.theta.loc[t.index] / 365).abs() <= 1e-9 * (1 + t.abs())).all()
print("ok")
PY
	assert_output ok
}
