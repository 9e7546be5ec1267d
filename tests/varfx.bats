#!/usr/bin/env bats
# FX risk in qe-var's sensitivity mode: --fx-history with --valuations makes
# each non-base currency a factor FX:CCY of hs, param, mc and components.
# Expected numbers come from numpy/scipy reading the same files.

load helpers

# A EUR/USD market as of 2026-11-25 (300 weekdays of NG_HH and TTF at
# tenors 0..12, EUR per USD on each date), today's rates fx.csv (USD per
# EUR, the inverse of the history's last), and two books: book.csv (a
# NG_HH forward in USD, a TTF forward in EUR) and usd.csv (the USD one).
# Each is priced by qe-price into val-BOOK.csv and sens-BOOK.csv.  With
# "flat", every tenor of a curve has the same price each day, so that
# contract (roll-adjusted) and constant-maturity returns are one series.
fx_market() {
	"$PYORACLE" - "$QE_TOP/tests/var" "$@" <<'PY'
import sys; sys.path.insert(0, sys.argv[1])
from synmarket import *
flat = sys.argv[2:] == ["flat"]
rng, days, last = write_market(21, style="vector", flat=flat)
# EUR per USD (a volatile year: FX risk is visible next to the price risk)
r = 0.93 * np.exp(np.cumsum(0.012 * rng.standard_normal(len(days))))
with open("fxh.csv", "w") as f:
    f.write("date,currency,rate\n")
    for d, v in zip(days, r):
        f.write("%s,EUR,%r\n" % (d, v))
with open("fx.csv", "w") as f:
    f.write("currency,rate\nUSD,1\nEUR,%r\n" % (1 / r[-1]))
hdr = TRADES_HEADER
us = "F1,1,new,2026-10-01,GAS_US,t,CP001,forward,NG_HH,sell,300000,MMBtu,3.8,USD,2027-05-01,2027-07-31,,,,,,,,,,\n"
eu = "F2,1,new,2026-10-01,GAS_EU,t,CP006,forward,TTF,buy,40000,MWh,1.0,EUR,2027-03-01,2027-04-30,,,,,,,,,,\n"
open("book.csv", "w").write(hdr + us + eu)
open("usd.csv", "w").write(hdr + us)
open("eur.csv", "w").write(hdr + eu)
PY
	for b in book usd; do
		qe-price --asof 2026-11-25 --trades $b.csv --curves curves.csv --rates rates.csv \
			--markets "$DATA/markets.csv" -o val-$b.csv --sens sens-$b.csv
	done
}

# the sensitivity-mode inputs of book $1, in USD with FX risk
fx_args() {
	echo -H history.csv -m "$DATA/markets.csv" -s sens-$1.csv --returns constant-maturity \
		--fx fx.csv --base USD --fx-history fxh.csv --valuations val-$1.csv
}

@test "varfx: hs and param VaR in USD of a EUR/USD book with FX risk equal numpy; components show FX:EUR and add up" {
	fx_market
	run_split qe-var hs -q $(fx_args book) -a 0.99,0.95 --cube cube.csv
	assert_success
	echo "$output" > hs.csv
	run_split qe-var param -q $(fx_args book) -a 0.99,0.95
	assert_success
	echo "$output" > param.csv
	run_split qe-var components -q $(fx_args book) -a 0.99
	assert_success
	echo "$output" > comp.csv
	run "$PYORACLE" - "$DATA/markets.csv" <<'PY'
import csv, math, sys, numpy as np, pandas as pd
from fractions import Fraction
from scipy.stats import norm
ccy = pd.read_csv(sys.argv[1]).set_index("curve").currency
h = pd.read_csv("history.csv")
P = h.pivot_table(index="date", columns=["curve", "tenor"], values="price").sort_index()
R = np.log(P).diff().iloc[1:].iloc[-250:]
fxr = pd.read_csv("fxh.csv").set_index("date").rate        # EUR per USD
x = np.log(fxr).diff().loc[R.index].to_numpy()
usd_per_eur = float(pd.read_csv("fx.csv").set_index("currency").rate["EUR"])
last = P.iloc[-1]
sens, val = pd.read_csv("sens-book.csv"), pd.read_csv("val-book.csv")
# HS: each trade's P&L in USD, (V + dV) / rate_scen - V / rate_today for EUR
pnl, dlt = {}, {}
for _, t in val.iterrows():
    dv = np.zeros(len(R))
    for _, s in sens[sens.trade_id == t.trade_id].iterrows():
        k = (s.curve, int(s.tenor))
        dv += s.delta * last[k] * np.expm1(R[k].to_numpy())
        # param: delta in USD per unit log return of each factor
        conv = usd_per_eur if ccy[s.curve] == "EUR" else 1.0
        dlt[k] = dlt.get(k, 0) + s.delta * last[k] * conv
    if ccy[t.curve] == "EUR":
        p = ((t.npv + dv) * np.exp(-x) - t.npv) * usd_per_eur
        # USD value of the EUR position moves by -x per unit log return of EUR per USD
        dlt["FX"] = dlt.get("FX", 0) - t.npv * usd_per_eur
    else:
        p = dv
    for pf in ("total", t.book):
        pnl[pf] = pnl.get(pf, 0) + p
got = {(r["portfolio"], r["alpha"]): r for r in csv.DictReader(open("hs.csv"))}
assert set(got) == {(p, a) for p in ("total", "GAS_US", "GAS_EU") for a in ("0.99", "0.95")}, sorted(got)
cube = {}
for r in csv.DictReader(open("cube.csv")):
    cube.setdefault(r["portfolio"], []).append(float(r["pnl"]))
for pf in ("total", "GAS_US", "GAS_EU"):
    np.testing.assert_allclose(cube[pf], pnl[pf], rtol=1e-9, atol=1e-6)
for (pf, a), r in got.items():
    assert r["currency"] == "USD" and r["scenarios"] == "250", r
    loss = np.sort(-pnl[pf])[::-1]
    k = math.ceil(len(loss) * (1 - Fraction(a)))
    for col, want in (("var", loss[k - 1]), ("es", loss[:k].mean())):
        assert abs(float(r[col]) - want) <= 1e-9 * abs(want), (pf, a, col, r[col], want)
# param: z sigma, sigma^2 = d' S d over the log returns of the prices and of the rate
keys = [k for k in dlt if k != "FX"]
X = np.column_stack([R[k].to_numpy() for k in keys] + [x])
d = np.array([dlt[k] for k in keys] + [dlt["FX"]])
S = np.cov(X, rowvar=False)
sig = math.sqrt(d @ S @ d)
for r in csv.DictReader(open("param.csv")):
    if r["portfolio"] != "total":
        continue
    want = norm.ppf(float(r["alpha"])) * sig
    assert abs(float(r["var"]) - want) <= 1e-9 * want, (r, want)
# components: an FX:EUR factor row; factors and groups each add up to the VaR
comp = list(csv.DictReader(open("comp.csv")))
fx = [r for r in comp if r["level"] == "factor" and r["name"] == "FX:EUR"]
assert len(fx) == 1 and float(fx[0]["component"]) != 0, fx
for lvl in ("factor", "group"):
    tot = sum(float(r["component"]) for r in comp if r["level"] == lvl)
    assert abs(tot - float(comp[0]["var"])) <= 1e-9 * float(comp[0]["var"]), (lvl, tot, comp[0])
assert abs(float(comp[0]["var"]) - norm.ppf(0.99) * sig) <= 1e-9 * sig, comp[0]
print("ok")
PY
	assert_output "ok"
	# FX risk is in it: GAS_EU's VaR differs from the run at today's rate
	qe-var hs -q -H history.csv -m "$DATA/markets.csv" -s sens-book.csv --returns constant-maturity \
		--fx fx.csv --base USD -a 0.99,0.95 | grep '^GAS_EU,' > nofx.csv
	grep '^GAS_EU,' hs.csv | cmp -s - nofx.csv && fail "--fx-history changed nothing"
	true
}

@test "varfx: a linear EUR forward has the same VaR with -s and with --full (FX cross term included, 1e-9)" {
	fx_market
	for book in book usd; do
		S=$(qe-var hs -q $(fx_args $book) -a 0.99,0.95)
		F=$(qe-var hs -q --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades $book.csv \
			--curves curves.csv --rates rates.csv --returns constant-maturity --fx fx.csv --base USD \
			--fx-history fxh.csv -a 0.99,0.95)
		run "$PYORACLE" - "$S" "$F" <<'PY'
import csv, io, sys
s, f = (list(csv.DictReader(io.StringIO(t))) for t in sys.argv[1:3])
assert len(s) == len(f) > 0, (s, f)
for a, b in zip(s, f):
    assert (a["portfolio"], a["alpha"]) == (b["portfolio"], b["alpha"]), (a, b)
    for c in ("var", "es"):
        assert abs(float(a[c]) - float(b[c])) <= 1e-9 * abs(float(b[c])), (c, a, b)
print("ok")
PY
		assert_output "ok"
	done
	# the P&L attribution of the two modes' cubes: the same P&L, scenario by scenario
	qe-var hs -q $(fx_args book) --cube s.csv > /dev/null
	qe-var hs -q --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades book.csv \
		--curves curves.csv --rates rates.csv --returns constant-maturity --fx fx.csv --base USD \
		--fx-history fxh.csv --cube f.csv > /dev/null
	run_split qe-var pla --full-cube f.csv --sens-cube s.csv
	assert_success
	run "$PYORACLE" - "$output" <<'PY'
import csv, io, sys
import pandas as pd
from scipy.stats import spearmanr, ks_2samp
rows = list(csv.DictReader(io.StringIO(sys.argv[1])))
f, s = (pd.read_csv(n) for n in ("f.csv", "s.csv"))
assert {r["portfolio"] for r in rows} == {"total", "GAS_US", "GAS_EU"}, rows
for r in rows:
    a = f[f.portfolio == r["portfolio"]].set_index("scenario").pnl
    b = s[s.portfolio == r["portfolio"]].set_index("scenario").pnl.loc[a.index]
    assert ((a - b).abs() <= 1e-9 * a.abs().max()).all(), r
    assert r["zone"] == "green" and abs(float(r["spearman"]) - spearmanr(a, b).statistic) <= 1e-12, r
    assert abs(float(r["ks"]) - ks_2samp(a, b).statistic) <= 1e-12, r
print("ok")
PY
	assert_output "ok"
}

@test "varfx: an all-USD book is unchanged with and without --fx-history (hs, param, mc, components)" {
	fx_market
	base="-H history.csv -m $DATA/markets.csv -s sens-usd.csv --returns constant-maturity --fx fx.csv --base USD"
	for c in hs param "mc --paths 20000" components; do
		qe-var $c -q $base > without.csv
		run_split qe-var $c -q $base --fx-history fxh.csv --valuations val-usd.csv
		assert_success
		[ "$output" = "$(cat without.csv)" ] || fail "$c: $output vs $(cat without.csv)"
	done
}

@test "varfx: mc includes FX: its VaR of the EUR/USD book tends to numpy's delta-normal VaR" {
	fx_market
	run_split qe-var mc -q $(fx_args book) --paths 400000 --seed 7 -a 0.99
	assert_success
	echo "$output" > mc.csv
	run "$PYORACLE" - "$DATA/markets.csv" <<'PY'
import csv, math, sys, numpy as np, pandas as pd
from scipy.stats import norm
ccy = pd.read_csv(sys.argv[1]).set_index("curve").currency
h = pd.read_csv("history.csv")
P = h.pivot_table(index="date", columns=["curve", "tenor"], values="price").sort_index()
R = np.log(P).diff().iloc[1:].iloc[-250:]
x = np.log(pd.read_csv("fxh.csv").set_index("date").rate).diff().loc[R.index].to_numpy()
usd_per_eur = float(pd.read_csv("fx.csv").set_index("currency").rate["EUR"])
sens, val = pd.read_csv("sens-book.csv"), pd.read_csv("val-book.csv")
dlt = {}
for _, s in sens.iterrows():
    k = (s.curve, int(s.tenor))
    dlt[k] = dlt.get(k, 0) + s.delta * P.iloc[-1][k] * (usd_per_eur if ccy[s.curve] == "EUR" else 1)
fxd = -sum(t.npv * usd_per_eur for _, t in val.iterrows() if ccy[t.curve] == "EUR")
keys = list(dlt)
X = np.column_stack([R[k].to_numpy() for k in keys] + [x])
d = np.array([dlt[k] for k in keys] + [fxd])
sig = math.sqrt(d @ np.cov(X, rowvar=False) @ d)
# without the FX factor the delta-normal VaR is measurably different
sig0 = math.sqrt(d[:-1] @ np.cov(X[:, :-1], rowvar=False) @ d[:-1])
assert abs(sig - sig0) > 0.05 * sig, (sig, sig0)
r = next(r for r in csv.DictReader(open("mc.csv")) if r["portfolio"] == "total")
want = norm.ppf(0.99) * sig
assert abs(float(r["var"]) - want) <= 0.02 * want, (r, want, norm.ppf(0.99) * sig0)
print("ok")
PY
	assert_output "ok"
}

@test "varfx: usage and data errors: options go together, bad valuations are exit 3 at file:line:col, no output" {
	fx_market
	M="-H history.csv -m $DATA/markets.csv -s sens-book.csv --fx fx.csv --base USD"
	run_split qe-var hs -q $M --fx-history fxh.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--fx-history and --valuations go together"* ]] || fail "$status $stderr"
	run_split qe-var param -q $M --valuations val-book.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--fx-history and --valuations go together"* ]] || fail "$status $stderr"
	run_split qe-var components -q -H history.csv -m "$DATA/markets.csv" -s sens-book.csv \
		--fx-history fxh.csv --valuations val-book.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--fx FILE --base CCY"* ]] || fail "$status $stderr"
	run_split qe-var hs -q --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades book.csv \
		--curves curves.csv --fx fx.csv --base USD --fx-history fxh.csv --valuations val-book.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--valuations is for the sensitivity mode"* ]] || fail "$status $stderr"
	run_split qe-var mc -q --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades book.csv \
		--curves curves.csv --fx fx.csv --base USD --fx-history fxh.csv
	[ "$status" -eq 2 ] && [[ "$stderr" == *"mc --full has no FX factors"* ]] || fail "$status $stderr"
	# an npv that is not a number: its line and column, nothing written
	col=$(head -1 val-book.csv | tr , '\n' | grep -n '^npv$' | cut -d: -f1)
	awk -F, -v OFS=, -v c="$col" 'NR == 3 { $c = "1.2.3" } 1' val-book.csv > badnpv.csv
	run_split qe-var hs -q $M --fx-history fxh.csv --valuations badnpv.csv -o out.csv
	[ "$status" -eq 3 ] && [[ "$stderr" == *"badnpv.csv:3:$col: "* ]] || fail "$status $stderr"
	[ ! -e out.csv ] && [ -z "$(temps_in .)" ]
	# a EUR trade and an FX history without EUR: the valuation's line and curve column
	sed 's/,EUR,/,GBP,/' fxh.csv > gbp.csv
	ccol=$(head -1 val-book.csv | tr , '\n' | grep -n '^curve$' | cut -d: -f1)
	run_split qe-var param -q $M --fx-history gbp.csv --valuations val-book.csv -o out.csv
	[ "$status" -eq 3 ] || fail "$status $stderr"
	[[ "$stderr" == *"val-book.csv:3:$ccol: "*"EUR, which has no rate in the FX history (factor FX:EUR)"* ]] || fail "$stderr"
	[ ! -e out.csv ]
	# --by a column of the sensitivities that the valuations lack
	run_split qe-var hs -q $M --fx-history fxh.csv --valuations val-book.csv --by delivery_start
	[ "$status" -eq 3 ] && [[ "$stderr" == *"val-book.csv: no column 'delivery_start' to group by"* ]] ||
		fail "$status $stderr"
	# --by a column of the curve master groups both files by it
	run_split qe-var hs -q $M --fx-history fxh.csv --valuations val-book.csv --by commodity
	assert_success
	[ "$(cut -d, -f1 <<< "$output" | sort | tr '\n' ' ')" = "gas portfolio total " ] || fail "$output"
	# an FX history missing a date of the price history
	sed '101d' fxh.csv > gap.csv
	run_split qe-var hs -q $M --fx-history gap.csv --valuations val-book.csv
	[ "$status" -eq 3 ] && [[ "$stderr" == *"gap.csv:101:1: no EUR rate on"* ]] || fail "$status $stderr"
}

@test "varfx: whatif --fx-history: VaR before and after a EUR trade on a USD book, in USD, equal numpy" {
	fx_market flat
	run_split qe-var whatif -q --new eur.csv -H history.csv -m "$DATA/markets.csv" --asof 2026-11-25 \
		--trades usd.csv --curves curves.csv --rates rates.csv --fx fx.csv --base USD --fx-history fxh.csv \
		-a 0.99,0.95
	assert_success
	echo "$output" > whatif.csv
	run "$PYORACLE" - "$DATA/markets.csv" <<'PY'
import csv, math, sys, numpy as np, pandas as pd
from fractions import Fraction
ccy = pd.read_csv(sys.argv[1]).set_index("curve").currency
h = pd.read_csv("history.csv")
# every tenor of a curve has one price: its contract and constant-maturity returns agree
P = h[h.tenor == 1].pivot(index="date", columns="curve", values="price").sort_index()
R = np.log(P).diff().iloc[1:].iloc[-250:]
x = np.log(pd.read_csv("fxh.csv").set_index("date").rate).diff().loc[R.index].to_numpy()
usd_per_eur = float(pd.read_csv("fx.csv").set_index("currency").rate["EUR"])
sens, val = pd.read_csv("sens-book.csv"), pd.read_csv("val-book.csv")
def pnl(t):
    dv = sum(s.delta * P[s.curve].iloc[-1] * np.expm1(R[s.curve].to_numpy())
             for _, s in sens[sens.trade_id == t.trade_id].iterrows())
    if ccy[t.curve] == "EUR":
        return ((t.npv + dv) * np.exp(-x) - t.npv) * usd_per_eur
    return dv
before, after = {}, {}
for _, t in val.iterrows():
    p = pnl(t)
    for pf in ("total", t.book):
        if t.trade_id == "F1":
            before[pf] = before.get(pf, 0) + p
        after[pf] = after.get(pf, 0) + p
def var_es(p, a):
    if p is None:
        return 0.0, 0.0
    loss = np.sort(-p)[::-1]
    k = math.ceil(len(loss) * (1 - Fraction(a)))
    return loss[k - 1], loss[:k].mean()
rows = list(csv.DictReader(open("whatif.csv")))
assert {(r["portfolio"], r["alpha"]) for r in rows} == \
    {(p, a) for p in ("total", "GAS_US", "GAS_EU") for a in ("0.99", "0.95")}, rows
for r in rows:
    assert r["currency"] == "USD", r
    vb, eb = var_es(before.get(r["portfolio"]), r["alpha"])
    va, ea = var_es(after[r["portfolio"]], r["alpha"])
    for col, want in (("var_before", vb), ("var_after", va), ("incremental_var", va - vb),
                      ("es_before", eb), ("es_after", ea)):
        assert abs(float(r[col]) - want) <= 1e-9 * max(abs(va), 1.0), (r, col, want)
print("ok")
PY
	assert_output "ok"
}
