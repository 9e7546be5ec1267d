#!/usr/bin/env bats
# qe-var --full --horizon N: the scenario valuation date moves N business
# days on each trade's calendar.  Oracles: QuantLib's BlackCalculator and
# numpy under $PYORACLE, business days counted from the holiday files.

load helpers

# a clean history of NG_HH and TTF (tenors 0..12, every weekday up to the
# as-of date 2026-11-25), forward curves at the history's last prices
# (tenors 1..12), flat 3% rates, NG_HH smiles of January and March 2027,
# an option book and a linear book
hz_market() {
	"$PYORACLE" - "$QE_TOP/tests/var" <<'PY'
import sys; sys.path.insert(0, sys.argv[1])
from synmarket import *
rng, days, last = write_market(17)
asof = ASOF
with open("vols.csv", "w") as f:
    f.write("curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n")
    f.write("NG_HH,%s,2027-01-01,2027-01-31,,0.51,lognormal\n" % asof)
    f.write("NG_HH,%s,2027-03-01,2027-03-31,,0.462,lognormal\n" % asof)
hdr = TRADES_HEADER
with open("option.csv", "w") as f:
    f.write(hdr)
    # expires long after the horizon
    f.write("O1,1,new,2026-10-01,OPT,t,CME_CLEARING,option,NG_HH,buy,10,lots,0.3,USD,2027-03-01,2027-03-31,gasday,call,3.95,european,2027-02-19,,,,,\n")
    # expires two days after today, before the horizon
    f.write("O2,1,new,2026-10-01,SHORT,t,CME_CLEARING,option,NG_HH,sell,7,lots,0.2,USD,2027-01-01,2027-01-31,gasday,call,%r,european,2026-11-27,,,,,\n" % round(last["NG_HH", 2], 2))
with open("linear.csv", "w") as f:
    f.write(hdr)
    # futures: not discounted
    f.write("F1,1,new,2026-10-01,FUT,t,CME_CLEARING,future,NG_HH,buy,20,lots,4.1,USD,2027-01-01,2027-01-31,gasday,,,,,,,,,\n")
    f.write("F2,1,new,2026-10-01,FUT,t,CME_CLEARING,future,NG_HH,sell,12,lots,3.7,USD,2027-04-01,2027-04-30,gasday,,,,,,,,,\n")
    # discounted; the December swap fixes on days before the horizon
    f.write("W1,1,new,2026-10-01,FWD_US,t,CP001,forward,NG_HH,sell,300000,MMBtu,3.8,USD,2027-05-01,2027-07-31,,,,,,,,,,\n")
    f.write("W2,1,new,2026-10-01,FWD_US,t,CP001,swap,NG_HH,buy,500000,MMBtu,3.9,USD,2027-02-01,2027-03-31,,,,,,,,,,\n")
    f.write("W3,1,new,2026-10-01,FWD_US,t,CP001,swap,NG_HH,buy,310000,MMBtu,3.85,USD,2026-12-01,2026-12-31,,,,,,,,,,\n")
    f.write("E1,1,new,2026-10-01,FWD_EU,t,CP006,physical,TTF,buy,15,MW,30.5,EUR,2027-04-01,2027-06-30,gasday,,,,,,,,,\n")
    f.write("E2,1,new,2026-10-01,FWD_EU,t,CP006,forward,TTF,sell,20000,MWh,33.0,EUR,2027-09-01,2027-09-30,,,,,,,,,,\n")
PY
}

hz_args() {
	echo --full --asof 2026-11-25 -H history.csv -m "$DATA/markets.csv" --trades "$1" --curves curves.csv \
		--vols vols.csv --rates rates.csv
}

# business_day.py: hz(calendar, n) = n business days after the as-of date,
# weekends and the calendar file's holidays closed
write_bd() {
	cat > bd.py <<PY
import datetime as dt
def hz(cal, n, asof=dt.date(2026, 11, 25)):
    hol = set()
    for line in open("$DATA/calendars/%s.txt" % cal):
        line = line.split("#")[0].strip()
        if line:
            hol.add(dt.date.fromisoformat(line))
    d = asof
    while n > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in hol:
            n -= 1
    return d
PY
}

@test "full --horizon 5: an option's scenario P&L is QuantLib's Black-76 at the horizon date on the shocked forward; one expiring before it is worth its intrinsic value" {
	hz_market
	write_bd
	run_split qe-var hs -q $(hz_args option.csv) --horizon 5 --returns constant-maturity --window 30 -a 0.95 \
		--cube hs.csv
	assert_success
	[[ "$output" == *"hs-full,0.95,5d,30,"* ]] || fail "$output"
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np, pandas as pd
import QuantLib as ql
from bd import hz
asof, r = dt.date(2026, 11, 25), 0.03
h5 = hz("NYMEX", 5)
assert h5 == dt.date(2026, 12, 3), h5   # Thanksgiving is closed
def black(F, K, vol, expiry, at, q):
    T = (expiry - at).days / 365.0
    return q * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, K), F, vol * math.sqrt(T),
                                  math.exp(-r * T)).value()
cur = {x["delivery_start"]: float(x["price"]) for x in csv.DictReader(open("curves.csv")) if x["curve"] == "NG_HH"}
tr = {x["trade_id"]: x for x in csv.DictReader(open("option.csv"))}
K2 = float(tr["O2"]["strike"])
h = pd.read_csv("history.csv")
def ret5(tenor):
    s = h[(h.curve == "NG_HH") & (h.tenor == tenor)].set_index("date").price
    return np.log(s / s.shift(5)).dropna()
r4, r2 = ret5(4), ret5(2)   # March and January 2027, constant maturity
F1, F2 = cur["2027-03-01"], cur["2027-01-01"]
base1 = black(F1, 3.95, 0.462, dt.date(2027, 2, 19), asof, 1e5)
base2 = -black(F2, K2, 0.51, dt.date(2026, 11, 27), asof, 7e4)
cube = {}
for x in csv.DictReader(open("hs.csv")):
    cube[x["portfolio"], x["scenario"]] = float(x["pnl"])
days = sorted({s for p, s in cube})
assert len(days) == 30 and days[-1] == "2026-11-25", days[-3:]
n = 0
for day in days:
    # O1: 5 business days less to expiry and discounting, the forward shocked
    want1 = black(F1 * math.exp(r4[day]), 3.95, 0.462, dt.date(2027, 2, 19), h5, 1e5) - base1
    # O2 expires on 2026-11-27: the intrinsic value on the shocked forward
    want2 = -7e4 * max(F2 * math.exp(r2[day]) - K2, 0.0) - base2
    for p, w in (("OPT", want1), ("SHORT", want2)):
        got = cube[p, day]
        assert abs(got - w) <= 1e-9 * max(abs(w), 1.0), (p, day, got, w)
    n += want2 != -base2
assert n > 0, "no scenario puts O2 in the money"
print("ok")
PY
	assert_output "ok"
}

@test "full --horizon 10: a linear book's P&L is the sensitivity mode's, futures to 1e-9, discounted trades with the discounting change of the 10 business days" {
	hz_market
	write_bd
	qe-price --asof 2026-11-25 --trades linear.csv --curves curves.csv --vols vols.csv --rates rates.csv \
		--markets "$DATA/markets.csv" -o val.csv --sens sens.csv
	qe-var hs -q -H history.csv -m "$DATA/markets.csv" -s sens.csv --horizon 10 -a 0.99,0.95 --cube scube.csv \
		> sens_var.csv
	run_split qe-var hs -q $(hz_args linear.csv) --horizon 10 -a 0.99,0.95 --cube fcube.csv
	assert_success
	echo "$output" > full_var.csv
	run "$PYORACLE" - <<'PY'
import csv, math, collections
import numpy as np
from bd import hz
import datetime as dt
asof = dt.date(2026, 11, 25)
# the sensitivity mode's P&L is delta x dF + 10 days of theta; full
# revaluation discounts from the horizon date: with flat rates z the
# discount factor of every cash flow grows by g = exp(z h), h the
# calendar days to the horizon / 365, so
#   full = g (sens - 10 theta) + (g - 1) npv
# (g = 1 for futures, which are not discounted)
g = {"FUT": 1.0,
     "FWD_US": math.exp(0.03 * (hz("NYMEX", 10) - asof).days / 365.0),
     "FWD_EU": math.exp(0.03 * (hz("ICE_EU", 10) - asof).days / 365.0)}
theta, npv = collections.Counter(), collections.Counter()
for x in csv.DictReader(open("sens.csv")):
    theta[x["book"]] += float(x["theta"])
for x in csv.DictReader(open("val.csv")):
    npv[x["book"]] += float(x["npv"])
assert theta["FUT"] == 0 and theta["FWD_US"] != 0
s = {(x["portfolio"], x["scenario"]): float(x["pnl"]) for x in csv.DictReader(open("scube.csv"))}
f = {(x["portfolio"], x["scenario"]): float(x["pnl"]) for x in csv.DictReader(open("fcube.csv"))}
assert s.keys() == f.keys()
want = {}
for p in g:
    days = sorted(d for q, d in s if q == p)
    assert len(days) == 250, (p, len(days))
    w = np.array([g[p] * (s[p, d] - 10 * theta[p]) + (g[p] - 1) * npv[p] for d in days])
    got = np.array([f[p, d] for d in days])
    assert np.all(np.abs(got - w) <= 1e-9 * np.maximum(np.abs(w), 1.0)), (p, np.max(np.abs(got - w)))
    want[p] = w
# the VaR: kth worst loss at 99% of 250 scenarios is the 3rd worst
sv = {(x["portfolio"], x["alpha"]): x for x in csv.DictReader(open("sens_var.csv"))}
fv = {(x["portfolio"], x["alpha"]): x for x in csv.DictReader(open("full_var.csv"))}
for p in g:
    assert fv[p, "0.99"]["horizon"] == "10d" and fv[p, "0.99"]["method"] == "hs-full"
    a, b = float(sv[p, "0.99"]["var"]), float(fv[p, "0.99"]["var"])
    if p == "FUT":
        assert abs(a - b) <= 1e-9 * abs(a), (p, a, b)
    exp = -np.sort(want[p])[2]
    assert abs(b - exp) <= 1e-9 * abs(exp), (p, b, exp)
print("ok")
PY
	assert_output "ok"
}

@test "full: without --horizon time does not pass; --horizon 1 moves the valuation date one business day" {
	hz_market
	qe-var hs -q $(hz_args option.csv) --returns constant-maturity --window 20 -a 0.95 --cube c0.csv -o v0.csv
	qe-var hs -q $(hz_args option.csv) --returns constant-maturity --window 20 -a 0.95 --cube c1.csv -o v1.csv \
		--horizon 1
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np, pandas as pd
import QuantLib as ql
def black(F, at):
    T = (dt.date(2027, 2, 19) - at).days / 365.0
    return 1e5 * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, 3.95), F, 0.462 * math.sqrt(T),
                                     math.exp(-0.03 * T)).value()
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv")) if x["delivery_start"] == "2027-03-01"
     and x["curve"] == "NG_HH"][0]
h = pd.read_csv("history.csv")
s = h[(h.curve == "NG_HH") & (h.tenor == 4)].set_index("date").price
r1 = np.log(s / s.shift(1))
c0 = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("c0.csv")) if x["portfolio"] == "OPT"}
c1 = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("c1.csv")) if x["portfolio"] == "OPT"}
assert c0.keys() == c1.keys() and len(c0) == 20
today, nxt = dt.date(2026, 11, 25), dt.date(2026, 11, 27)  # Thanksgiving closed
base = black(F, today)
for d in c0:
    w0 = black(F * math.exp(r1[d]), today) - base
    w1 = black(F * math.exp(r1[d]), nxt) - base
    assert abs(c0[d] - w0) <= 1e-9 * max(abs(w0), 1.0), (d, c0[d], w0)
    assert abs(c1[d] - w1) <= 1e-9 * max(abs(w1), 1.0), (d, c1[d], w1)
print("ok")
PY
	assert_output "ok"
}

@test "full --horizon: stress and whatif move time as hs does; mc moves it too" {
	hz_market
	printf 'scenario,curve,tenor,shock,type\nflat,NG_HH,4,0,rel\n' > shocks.csv
	run_split qe-var stress -q $(hz_args option.csv) --shocks shocks.csv --horizon 5
	assert_success
	echo "$output" > stress.csv
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import QuantLib as ql
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv")) if x["delivery_start"] == "2027-03-01"
     and x["curve"] == "NG_HH"][0]
def v(at):
    T = (dt.date(2027, 2, 19) - at).days / 365.0
    return 1e5 * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, 3.95), F, 0.462 * math.sqrt(T),
                                     math.exp(-0.03 * T)).value()
got = {(x["portfolio"], x["scenario"]): float(x["pnl"]) for x in csv.DictReader(open("stress.csv"))}
# no price move: five business days of time value (Thanksgiving closed)
want = v(dt.date(2026, 12, 3)) - v(dt.date(2026, 11, 25))
assert want < 0 and abs(got["OPT", "flat"] - want) <= 1e-9 * abs(want), (got, want)
print("ok")
PY
	assert_output "ok"
	# whatif's VaR before the new trade is hs --full's at the same horizon
	head -1 option.csv > new.csv
	grep '^O1,' option.csv | sed 's/^O1,/N1,/' >> new.csv
	qe-var whatif -q $(hz_args option.csv | sed 's/--full//') --new new.csv --horizon 5 --window 30 -a 0.95 \
		-o w5.csv
	qe-var whatif -q $(hz_args option.csv | sed 's/--full//') --new new.csv --window 30 -a 0.95 -o w0.csv
	qe-var hs -q $(hz_args option.csv) --horizon 5 --window 30 -a 0.95 -o h5.csv
	run "$PYORACLE" - <<'PY'
import csv
w5 = {x["portfolio"]: float(x["var_before"]) for x in csv.DictReader(open("w5.csv"))}
w0 = {x["portfolio"]: float(x["var_before"]) for x in csv.DictReader(open("w0.csv"))}
h5 = {x["portfolio"]: float(x["var"]) for x in csv.DictReader(open("h5.csv"))}
assert w5["OPT"] == h5["OPT"] and w5["OPT"] != w0["OPT"], (w5, w0, h5)
print("ok")
PY
	assert_output "ok"
	qe-var mc -q $(hz_args option.csv) --paths 300 --seed 2 -a 0.95 --cube m0.csv -o /dev/null
	qe-var mc -q $(hz_args option.csv) --paths 300 --seed 2 -a 0.95 --cube m1.csv -o /dev/null --horizon 1
	! cmp -s m0.csv m1.csv
}

# a vol history by contract month: each contract's vol walks on its own,
# so a tenor's vol jumps when the month changes while a contract's does
# not; every price is 4.0 on every day, so no contract or tenor has a
# price move and the P&L is the vol move alone
contract_vols() {
	"$PYORACLE" - <<'PY'
import numpy as np, datetime as dt, csv
rng = np.random.default_rng(5)
days = sorted({r["date"] for r in csv.DictReader(open("history.csv"))})
with open("flat.csv", "w") as f:
    f.write("date,curve,tenor,price\n")
    for day in days:
        for c, t in sorted({(r["curve"], r["tenor"]) for r in csv.DictReader(open("history.csv"))}):
            f.write("%s,%s,%s,4.0\n" % (day, c, t))
vol = {}
with open("cvols.csv", "w") as f:
    f.write("date,curve,contract,vol,vol_type\n")
    for day in days:
        y, m = int(day[:4]), int(day[5:7])
        for k in range(1, 7):
            mi = y * 12 + m - 1 + k
            c = "%04d-%02d" % (mi // 12, mi % 12 + 1)
            vol[c] = max(0.05, vol.get(c, 0.30 + 0.03 * (mi % 12)) + 0.01 * rng.standard_normal())
            f.write("%s,NG_HH,%s,%r,lognormal\n" % (day, c, vol[c]))
PY
}

@test "full --vol-history: an option's vol moves by its own contract month's vol change (contract returns), by its tenor's with constant-maturity (numpy)" {
	hz_market
	contract_vols
	A="--full --asof 2026-11-25 -H flat.csv -m $DATA/markets.csv --trades option.csv --curves curves.csv --vols vols.csv --rates rates.csv --vol-history cvols.csv --window 40 -a 0.95"
	grep -v '^O2,' option.csv > o1.csv
	qe-var hs -q ${A/option.csv/o1.csv} --cube ccube.csv -o /dev/null
	qe-var hs -q ${A/option.csv/o1.csv} --returns constant-maturity --cube mcube.csv -o /dev/null
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np, pandas as pd
import QuantLib as ql
T = (dt.date(2027, 2, 19) - dt.date(2026, 11, 25)).days / 365.0
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv")) if x["delivery_start"] == "2027-03-01"
     and x["curve"] == "NG_HH"][0]
def value(vol):
    return 1e5 * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, 3.95), F, vol * math.sqrt(T),
                                     math.exp(-0.03 * T)).value()
base = value(0.462)
v = pd.read_csv("cvols.csv")
dates = sorted(v.date.unique())
vol = {(d, c): x for d, c, x in zip(v.date, v.contract, v.vol)}
def month(d, k):
    mi = int(d[:4]) * 12 + int(d[5:7]) - 1 + k
    return "%04d-%02d" % (mi // 12, mi % 12 + 1)
# the option's vol point is tenor 4 (March 2027).  Contract returns: the
# change of the contract tenor 4 quotes on the scenario day, from the day
# before to that day (one contract month, as the price factor NG_HH:4
# moves); constant-maturity: tenor 4's vol on each day (two contracts
# across a month change)
def dv_contract(d, p):
    c = month(d, 4)
    return vol[d, c] - vol[p, c]
def dv_tenor(d, p):
    return vol[d, month(d, 4)] - vol[p, month(p, 4)]
for cube, dvf in (("ccube.csv", dv_contract), ("mcube.csv", dv_tenor)):
    got = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open(cube)) if x["portfolio"] == "OPT"}
    assert len(got) == 40
    for d, pnl in got.items():
        i = dates.index(d)
        dv = dvf(d, dates[i - 1])
        w = value(0.462 + dv)
        w -= base
        assert abs(pnl - w) <= 1e-9 * max(abs(w), 1.0), (cube, d, pnl, w)
# the two readings differ on the days the month changes
c = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("ccube.csv")) if x["portfolio"] == "OPT"}
m = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("mcube.csv")) if x["portfolio"] == "OPT"}
assert c["2026-11-02"] != m["2026-11-02"] and c["2026-11-03"] == m["2026-11-03"]
print("ok")
PY
	assert_output "ok"
}

@test "stress --full --vol-history: a window moves an option's forward and vol by their changes over it (QuantLib, numpy)" {
	hz_market
	contract_vols
	grep -v '^O2,' option.csv > o1.csv
	printf 'name,start,end\nw1,2026-09-25,2026-10-20\nw2,2026-10-09,2026-11-13\n' > windows.csv
	# constant-maturity: tenor 4's price and vol as read
	run_split qe-var stress -q $(hz_args o1.csv) --vol-history cvols.csv --windows windows.csv \
		--returns constant-maturity
	assert_success
	echo "$output" > cm.csv
	# contract returns on flat prices: the vol alone, followed by contract
	run_split qe-var stress -q $(hz_args o1.csv | sed 's/history.csv/flat.csv/') --vol-history cvols.csv \
		--windows windows.csv
	assert_success
	echo "$output" > ct.csv
	run "$PYORACLE" - <<'PY'
import csv, math, datetime as dt
import numpy as np, pandas as pd
import QuantLib as ql
T = (dt.date(2027, 2, 19) - dt.date(2026, 11, 25)).days / 365.0
F = [float(x["price"]) for x in csv.DictReader(open("curves.csv")) if x["delivery_start"] == "2027-03-01"
     and x["curve"] == "NG_HH"][0]
def value(f, vol):
    return 1e5 * ql.BlackCalculator(ql.PlainVanillaPayoff(ql.Option.Call, 3.95), f, vol * math.sqrt(T),
                                     math.exp(-0.03 * T)).value()
base = value(F, 0.462)
h = pd.read_csv("history.csv")
p4 = h[(h.curve == "NG_HH") & (h.tenor == 4)].set_index("date").price
v = pd.read_csv("cvols.csv")
vol = {(d, c): x for d, c, x in zip(v.date, v.contract, v.vol)}
dates = sorted(v.date.unique())
def month(d, k):
    mi = int(d[:4]) * 12 + int(d[5:7]) - 1 + k
    return "%04d-%02d" % (mi // 12, mi % 12 + 1)
def on_or_before(d):
    return [x for x in dates if x <= d][-1]
cm = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("cm.csv")) if x["portfolio"] == "OPT"}
ct = {x["scenario"]: float(x["pnl"]) for x in csv.DictReader(open("ct.csv")) if x["portfolio"] == "OPT"}
for name, s, e in (("w1", "2026-09-25", "2026-10-20"), ("w2", "2026-10-09", "2026-11-13")):
    a, b = on_or_before(s), on_or_before(e)
    # constant maturity: tenor 4 at each end
    dv = vol[b, month(b, 4)] - vol[a, month(a, 4)]
    w = value(F * p4[b] / p4[a], 0.462 + dv) - base
    assert abs(cm[name] - w) <= 1e-9 * abs(w), (name, cm[name], w)
    # contract: each day's change of the contract tenor 4 quotes that day
    i, j = dates.index(a), dates.index(b)
    dv = sum(vol[dates[k], month(dates[k], 4)] - vol[dates[k - 1], month(dates[k], 4)] for k in range(i + 1, j + 1))
    w = value(F, 0.462 + dv) - base
    assert abs(ct[name] - w) <= 1e-9 * abs(w), (name, ct[name], w)
    assert abs(dv) > 1e-3
print("ok")
PY
	assert_output "ok"
}

@test "full --horizon 25: an Asian expiring on its last averaging day before the horizon is valued the day before (no exit 5)" {
	hz_market
	head -1 option.csv > asian.csv
	echo "A1,1,new,2026-10-01,ASIAN,t,CP001,asian,NG_HH,buy,20000,MMBtu,0.3,USD,2026-12-01,2026-12-31,,call,3.9,european,2026-12-31,2026-12-01,2026-12-31,,," >> asian.csv
	run_split qe-var hs -q $(hz_args asian.csv) --horizon 25 --window 30 -a 0.95 --cube c.csv
	assert_success
	[[ "$output" == *"hs-full,0.95,25d,30,"* ]] || fail "$output"
	run_split qe-var hs -q $(hz_args asian.csv) --window 30 -a 0.95 --cube c0.csv
	assert_success
	! cmp -s c.csv c0.csv
}

@test "full --horizon: a future whose delivery starts before the horizon is valued on its last day, not at zero (equals the sensitivity mode)" {
	# TTF Dec-26 futures: delivery starts 2026-12-01, before the 5-day
	# horizon; valued at zero once settled, their P&L was -V in every
	# scenario (a VaR of -1376 EUR)
	A=2026-11-25
	awk -F, 'NR == 1 || ($8 == "future" && $9 == "TTF" && $15 == "2026-12-01" && $3 == "new")' "$DATA/trades.csv" > ttf.csv
	[ "$(wc -l < ttf.csv)" -gt 5 ]
	mkt=(-H "$DATA/history.csv" -m "$DATA/markets.csv" --asof "$A" --calendars "$DATA/calendars" --by none)
	px=(--trades ttf.csv --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv")
	qe-price -q --asof "$A" "${px[@]}" --markets "$DATA/markets.csv" --calendars "$DATA/calendars" -o /dev/null --sensitivities s.csv
	qe-var hs -q "${mkt[@]}" -s s.csv --horizon 5 -o sens.csv
	qe-var hs -q --full "${mkt[@]}" "${px[@]}" --horizon 5 -o full.csv --cube cube.csv
	run "$PYORACLE" - sens.csv full.csv cube.csv <<'PY'
import csv, sys
s, f = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
assert len(s) == len(f) == 1, (s, f)
for k in ("var", "es"):
    a, b = float(s[0][k]), float(f[0][k])
    assert b > 0 and abs(a - b) <= 1e-9 * abs(a), (k, a, b)
pnl = {float(r["pnl"]) for r in csv.DictReader(open(sys.argv[3]))}
assert len(pnl) > 200, len(pnl)
print("ok")
PY
	assert_output ok
}
