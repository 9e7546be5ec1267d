#!/usr/bin/env bats
# The vol surface across strikes and months (VOLATILITIES in
# qe-formats(5)): a contract month the surface lacks between two quoted
# months is priced at the vol a numpy implementation of the documented
# rule computes from the vols file.

load helpers

# oracle_vol VOLS ASOF CURVE TYPE DELIVERY_START STRIKE: the documented
# rule, in numpy - linear in strike (flat beyond) within a period, linear
# in total variance vol^2 t between periods at the same strike, t the
# ACT/365 time from the as-of date to delivery start.
oracle_vol() {
	"$PYORACLE" - "$@" <<'EOF'
import sys, csv
from datetime import date
import numpy as np
path, asof, curve, typ, start, K = sys.argv[1:7]
K = float(K)
day = date.fromisoformat
per = {}
for r in csv.DictReader(open(path)):
    if r["curve"] != curve or r["vol_type"] != typ or r["asof"] != asof:
        continue
    p = per.setdefault((r["delivery_start"], r["delivery_end"]), {"atm": None, "k": [], "v": []})
    if r["strike"] == "":
        p["atm"] = float(r["vol"])
    else:
        p["k"].append(float(r["strike"]))
        p["v"].append(float(r["vol"]))
def smile(p):
    if not p["k"]:
        return p["atm"]
    o = np.argsort(p["k"], kind="stable")
    return float(np.interp(K, np.array(p["k"])[o], np.array(p["v"])[o]))
keys = sorted(per)
d = day(start)
assert not any(day(a) <= d <= day(b) for a, b in keys), "month is quoted"
before = [k for k in keys if day(k[1]) < d]
after = [k for k in keys if day(k[0]) > d]
assert before and after, "not between two quoted months"
p1, p2 = before[-1], after[0]
yf = lambda x: (day(x) - day(asof)).days / 365.0
t, t1, t2 = yf(start), max(yf(p1[0]), 0.0), yf(p2[0])
s1, s2 = smile(per[p1]), smile(per[p2])
var = ((t2 - t) * s1 * s1 * t1 + (t - t1) * s2 * s2 * t2) / (t2 - t1)
print(repr(float(np.sqrt(var / t))))
EOF
}

# price_gap TRADE_ROW CURVES VOLS ASOF TYPE: prices the option trade with
# VOLS, whose month of the trade is missing, and again with VOLS plus that
# month quoted flat at the oracle's vol; both must agree.
price_gap() {
	local row=$1 curves=$2 vols=$3 asof=$4 typ=$5
	IFS=, read -r id _ _ _ _ _ _ _ curve _ _ _ _ _ ds de _ _ K _ <<<"$row"
	{ head -1 "$DATA/trades.csv" | cut -d, -f1-26; echo "$row"; } > t.csv
	local s
	s=$(oracle_vol "$vols" "$asof" "$curve" "$typ" "$ds" "$K") || fail "oracle: $s"
	{ cat "$vols"; echo "$curve,$asof,$ds,$de,,$s,$typ"; } > flat.csv
	px() {
		qe-price -q --asof "$asof" --trades t.csv --curves "$curves" --vols "$1" \
			--rates "$DATA/rates.csv" --markets "$DATA/markets.csv" --fixings "$DATA/fixings.csv"
	}
	local got want
	got=$(px "$vols") || fail "$id: qe-price failed with the gap: $got"
	want=$(px flat.csv) || fail "$id: qe-price failed with the flat month: $want"
	"$PYORACLE" - "$id" "$s" <<EOF || fail "$id at vol $s: $got / $want"
import sys, csv, io
g = next(csv.DictReader(io.StringIO("""$got""")))
w = next(csv.DictReader(io.StringIO("""$want""")))
a, b = float(g["npv"]), float(w["npv"])
assert b != 0 and abs(a - b) <= 1e-12 * abs(b), (a, b)
print(sys.argv[1], sys.argv[2], a)
EOF
}

@test "smile: a month between quoted months is interpolated in total variance at the strike (numpy), inside and outside the strikes" {
	export QE_CALENDAR_DIR="$DATA/calendars"
	# TTF loses its lognormal Feb-27 and Mar-27 smiles, NG_HH May-27
	awk -F, '!($7 == "lognormal" && (($1 == "TTF" && ($3 == "2027-02-01" || $3 == "2027-03-01")) ||
	     ($1 == "NG_HH" && $3 == "2027-05-01")))' "$DATA/vols.csv" > gap.csv
	[ "$(wc -l < gap.csv)" -eq "$(($(wc -l < "$DATA/vols.csv") - 18))" ]
	o='1,new,2026-11-01,BK,x,CP001,option'
	for row in \
		"S1,$o,TTF,buy,1,lots,1,EUR,2027-03-01,2027-03-31,,call,33,european,2027-02-20,,,,," \
		"S2,$o,TTF,buy,1,lots,1,EUR,2027-03-01,2027-03-31,,put,12,european,2027-02-20,,,,," \
		"S3,$o,TTF,sell,1,lots,1,EUR,2027-03-01,2027-03-31,,call,75,european,2027-02-20,,,,," \
		"S4,$o,TTF,buy,1,lots,1,EUR,2027-02-01,2027-02-28,,call,31,european,2027-01-20,,,,," \
		"S5,$o,NG_HH,buy,1,lots,1,USD,2027-05-01,2027-05-31,,put,3.3,european,2027-04-20,,,,,"; do
		price_gap "$row" "$DATA/curves.csv" gap.csv 2026-11-25 lognormal
	done
	# the total-variance vol is not the next month's, which the old rule
	# (borrow a period starting within 31 days) gave
	v=$(oracle_vol gap.csv 2026-11-25 TTF lognormal 2027-03-01 33)
	n=$(awk -F, '$1 == "TTF" && $3 == "2027-04-01" && $5 == 33 && $7 == "lognormal" { print $6 }' gap.csv)
	"$PYORACLE" -c "import sys; v = $v; n = ${n:-0.0}; sys.exit(0 if abs(v - n) > 1e-4 else 1)" ||
		fail "vol $v is April's $n"
}

@test "smile: qe-ingest cme-settle and ice-settle --vols without a month; qe-price interpolates it (numpy)" {
	export QE_CALENDAR_DIR="$DATA/calendars"
	qe-synth --format cme -o cme.csv
	qe-synth --format ice -o ice.txt
	# no NG options (LNE) on May-27, no Brent options on May-27
	awk -F, '!($2 == "LNE" && $28 == "202705")' cme.csv > cme_gap.csv
	awk -F'|' '!($3 ~ /Options/ && $4 == "May27")' ice.txt > ice_gap.txt
	[ "$(wc -l < cme_gap.csv)" -lt "$(wc -l < cme.csv)" ]
	[ "$(wc -l < ice_gap.txt)" -lt "$(wc -l < ice.txt)" ]
	qe-ingest cme-settle cme_gap.csv --markets "$DATA/markets.csv" -o c1.csv --vols v1.csv -q
	qe-ingest ice-settle ice_gap.txt --markets "$DATA/markets.csv" -o c2.csv --vols v2.csv -q
	! grep -q '^NG_HH,[^,]*,2027-05-01,' v1.csv
	grep -q '^NG_HH,[^,]*,2027-04-01,' v1.csv
	! grep -q '^BRENT,[^,]*,2027-05-01,' v2.csv
	grep -q '^BRENT,[^,]*,2027-04-01,' v2.csv
	asof=$(sed -n 2p c1.csv | cut -d, -f2)
	o='1,new,2026-11-01,BK,x,CP001,option'
	price_gap "G1,$o,NG_HH,buy,1,lots,1,USD,2027-05-01,2027-05-31,,call,4.1,european,2027-04-20,,,,," \
		c1.csv v1.csv "$asof" lognormal
	price_gap "G2,$o,NG_HH,buy,1,lots,1,USD,2027-05-01,2027-05-31,,put,1.5,european,2027-04-20,,,,," \
		c1.csv v1.csv "$asof" lognormal
	asof=$(sed -n 2p c2.csv | cut -d, -f2)
	price_gap "G3,$o,BRENT,buy,1,lots,1,USD,2027-05-01,2027-05-31,,call,66,american,2027-03-15,,,,," \
		c2.csv v2.csv "$asof" lognormal
	price_gap "G4,$o,BRENT,buy,1,lots,1,USD,2027-05-01,2027-05-31,,put,40,european,2027-03-15,,,,," \
		c2.csv v2.csv "$asof" lognormal
}

@test "smile: overlapping vol periods of a curve are bad data (exit 3), named with the file" {
	export QE_CALENDAR_DIR="$DATA/calendars"
	{ cat "$DATA/vols.csv"; echo 'TTF,2026-11-25,2027-01-01,2027-03-31,30,0.5,lognormal'; } > ov.csv
	{ head -1 "$DATA/trades.csv" | cut -d, -f1-26; echo "S1,1,new,2026-11-01,BK,x,CP001,option,TTF,buy,1,lots,1,EUR,2027-03-01,2027-03-31,,call,33,european,2027-02-20,,,,,"; } > t.csv
	run_split qe-price -q --asof 2026-11-25 --trades t.csv --curves "$DATA/curves.csv" --vols ov.csv \
		--rates "$DATA/rates.csv" --markets "$DATA/markets.csv" -o out.csv
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"ov.csv: curve TTF: lognormal vol periods from 2027-01-01 and 2027-01-01 overlap"* ]] || fail "$stderr"
	[ ! -e out.csv ]
}

# reprice OPTIONS_FILE CURVES VOLS RATE: every C/P row of an ICE file is
# repriced by QuantLib's Black formula at the vol ingested for its curve,
# month and strike, discounted at RATE to its expiry; prints the count per
# curve.
reprice() {
	"$PYORACLE" - "$@" <<'EOF'
import sys, csv, math, QuantLib as ql
from datetime import date
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="|"))
mon = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
def month(strip):
    return "20%s-%02d-01" % (strip[3:], mon[strip[:3]])
def mdy(s):
    m, d, y = map(int, s.split("/")); return date(y, m, d)
fwd = {(r["curve"], r["delivery_start"]): float(r["price"]) for r in csv.DictReader(open(sys.argv[2]))}
vol = {(r["curve"], r["delivery_start"], float(r["strike"])): float(r["vol"])
       for r in csv.DictReader(open(sys.argv[3])) if r["strike"] != ""}
rate = float(sys.argv[4])
n = {}
for x in rows:
    if x["CONTRACT TYPE"] not in ("C", "P") or x["HUB"] not in ("TTF", "EUA"):
        continue
    key = (x["HUB"], month(x["STRIP"]))
    K, premium = float(x["STRIKE"]), float(x["SETTLEMENT PRICE"])
    T = (mdy(x["EXPIRATION DATE"]) - mdy(x["TRADE DATE"])).days / 365
    v = vol[key + (K,)]
    t = ql.Option.Call if x["CONTRACT TYPE"] == "C" else ql.Option.Put
    got = ql.blackFormula(t, K, fwd[key], v * math.sqrt(T), math.exp(-rate * T))
    assert abs(got - premium) <= 1e-12 * max(premium, 1), (x, got, premium)
    # the vol is QuantLib's own implied vol of the premium
    want = ql.blackFormulaImpliedStdDev(t, K, fwd[key], premium, math.exp(-rate * T), 0.0, 0.5, 1e-14, 1000) / math.sqrt(T)
    assert abs(v - want) <= 1e-9 * want, (x, v, want)
    n[x["HUB"]] = n.get(x["HUB"], 0) + 1
print(" ".join("%s %d" % kv for kv in sorted(n.items())))
EOF
}

@test "smile: TTF (TFO) and EUA (C) options of a hand-written ICE file become vols that reprice their settlements (QuantLib)" {
	export QE_CALENDAR_DIR="$DATA/calendars"
	X="$QE_TOP/tests/data/exchange/ice_endex.txt"
	grep -q '|TTF|Dutch TTF Gas Options|.*|TFO|C|' "$X"
	grep -q '|EUA|EUA Futures Options|.*|C|P|' "$X"
	run_split qe-ingest ice-settle "$X" --markets "$DATA/markets.csv" --rate 0.04 -o c.csv --vols v.csv
	assert_success
	[[ "$stderr" == *"12 read, 3 futures, 9 options, 0 rejected"* ]] || fail "$stderr"
	# the file's OPTION_VOLATILITY is the premium's vol to 2 decimals, the
	# premium to a tenth of a cent
	[[ "$stderr" =~ "ICE's OPTION_VOLATILITY against ours: 9 options, largest difference "0\.0[0-2] ]] || fail "$stderr"
	run reprice "$X" c.csv v.csv 0.04
	assert_success
	assert_output "EUA 3 TTF 6"
}

@test "smile: qe-synth's ICE file carries TTF and EUA option rows; ingested, their vols reprice them" {
	export QE_CALENDAR_DIR="$DATA/calendars"
	qe-synth --format ice -o ice.txt
	grep -q '|TTF|TTF Options|[A-Z][a-z][a-z][0-9][0-9]|TFO|C|' ice.txt
	grep -q '|EUA|EUA Options|[A-Z][a-z][a-z][0-9][0-9]|C|P|' ice.txt
	grep -q '^TTF,.*,ICE:TFO:european,' "$DATA/markets.csv"
	grep -q '^EUA,.*,ICE:C:european,' "$DATA/markets.csv"
	run_split qe-ingest ice-settle ice.txt --markets "$DATA/markets.csv" -o c.csv --vols v.csv
	assert_success
	[[ "$stderr" == *", 0 rejected;"* ]] || fail "$stderr"
	# synth prices with no discounting: --rate defaults to 0
	run reprice ice.txt c.csv v.csv 0
	assert_success
	[[ "$output" =~ ^"EUA "[0-9]{3}" TTF "[0-9]{3}$ ]] || fail "$output"
}
