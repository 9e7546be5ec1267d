#!/usr/bin/env bats
# Volatility risk between the two modes of qe-var: the vega rows of
# qe-price's sensitivities and the vol moves of full revaluation use the
# same units (each curve's own vol type) and the same contract factors.

load helpers

setup_file() {
	A=$(awk -F, 'NR == 2 { print $2; exit }' "$DATA/curves.csv")
	export A
}

@test "vol risk: a Kirk leg on a Bachelier curve has vega rows per 1.00 of normal vol (the leg's lognormal vega over its forward)" {
	px=(--trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv"
		--fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" -H "$DATA/history.csv")
	qe-price -q --asof "$A" "${px[@]}" -o val.csv --sensitivities sens.csv
	run "$PYORACLE" - val.csv sens.csv "$DATA/curves.csv" "$DATA/markets.csv" "$DATA/trades.csv" <<'PY'
import csv, sys
val, sens, curves, markets, trades = sys.argv[1:6]
model = {r["curve"]: r["model"] for r in csv.DictReader(open(markets))}
fwd = {(r["curve"], r["delivery_start"][:7]): float(r["price"]) for r in csv.DictReader(open(curves))}
kirk = {r["trade_id"]: r for r in csv.DictReader(open(val)) if r["model"] == "kirk"}
legs = {}
for r in csv.DictReader(open(sens)):
    if r["trade_id"] in kirk and not r["curve2"]:
        legs.setdefault(r["trade_id"], []).append(r)
n = bach = 0
for tid, rows in legs.items():
    # every bundled spread is on one delivery month: a leg's forward is
    # that month's quote; vega rows of a Bachelier leg are per 1.00 of
    # normal vol, dsigma_ln = dsigma_n / F, so vega_ln = vega_row * F
    total = 0.0
    for r in rows:
        k = fwd[(r["curve"], r["delivery_start"][:7])] if model[r["curve"]] == "bachelier" else 1.0
        bach += model[r["curve"]] == "bachelier"
        total += float(r["vega"]) * k
    v = float(kirk[tid]["vega"])
    assert abs(total - v) <= 1e-9 * max(1.0, abs(v)), (tid, total, v)
    n += 1
assert n >= 20 and bach >= 20, (n, bach)
print("ok", n)
PY
	assert_success
	[[ "$output" == "ok "* ]]
}

@test "vol risk: with the vol history, the P&L attribution of every bundled book is green (vega rows and vol moves agree)" {
	mkt=(-H "$DATA/history.csv" -m "$DATA/markets.csv" --asof "$A" --window 250 --vol-history "$DATA/vol_history.csv")
	px=(--trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv"
		--fixings "$DATA/fixings.csv")
	# before: a power spread's lognormal vega times normal-vol changes, and
	# --full's vols read by constant tenor, made POWER_EU and total/EUR red
	run_split qe-var pla -q "${mkt[@]}" "${px[@]}" --by book -o pla.csv
	assert_success
	run awk -F, 'NR > 1 && $6 != "green" { print }' pla.csv
	assert_output ""
	[ "$(wc -l < pla.csv)" -ge 9 ]
}

@test "vol risk: --full moves a vol by its contract's own change across a roll, as prices (numpy on vol_history.csv)" {
	# one Bachelier option on DE_PEAK: its scenario P&L in --full, with
	# flat prices (a history of constant prices), is the vega P&L of the
	# vol change of the contract its tenor holds that day, compared with
	# the same contract the day before (not the constant tenor's change,
	# which on the first day of a month compares two contracts: a power
	# smile's seasonality)
	id=$(awk -F, -v a="$A" 'NR > 1 && $8 == "option" && $9 == "DE_PEAK" && $26 == "" && $21 > a { print $1; exit }' "$DATA/trades.csv")
	[ -n "$id" ]
	{ head -1 "$DATA/trades.csv"; grep "^$id," "$DATA/trades.csv"; } > t.csv
	ds=$(awk -F, 'NR == 2 { print $15 }' t.csv)
	awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "price") p = i; print; next } { $p = 100; print }' \
		"$DATA/history.csv" > flat.csv
	run_split qe-var hs -q --full -H flat.csv -m "$DATA/markets.csv" --asof "$A" --window 120 \
		--vol-history "$DATA/vol_history.csv" --trades t.csv --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --cube cube.csv -o /dev/null
	assert_success
	qe-price -q --asof "$A" --trades t.csv --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" --rates "$DATA/rates.csv" \
		--fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" -o v.csv
	run "$PYORACLE" - cube.csv "$DATA/vol_history.csv" v.csv "$ds" "$A" <<'PY'
import csv, sys
cube, vh, val, ds, asof = sys.argv[1:6]
def mi(s): return int(s[:4]) * 12 + int(s[5:7]) - 1
def ms(i): return "%04d-%02d" % (i // 12, i % 12 + 1)
vol = {}
for r in csv.DictReader(open(vh)):
    if r["curve"] == "DE_PEAK":
        c = r["contract"]
        vol[(r["date"], c if "-" in c else ms(mi(r["date"]) + int(c)))] = float(r["vol"])
dates = sorted({d for d, _ in vol if d <= asof})
T = mi(ds) - mi(asof)  # the option's vol factor VOL:DE_PEAK:T
vega = float(next(csv.DictReader(open(val)))["vega"])
pnl = {r["scenario"]: float(r["pnl"]) for r in csv.DictReader(open(cube))}
assert len(pnl) == 120, len(pnl)
worst, rolls = 0.0, 0
for s, p in pnl.items():
    prev = dates[dates.index(s) - 1]
    c = ms(mi(s) + T)  # the contract tenor T holds on s
    dv = vol[(s, c)] - vol[(prev, c)]
    const = vol[(s, c)] - vol[(prev, ms(mi(prev) + T))]
    if abs(const - dv) > 1.0:
        rolls += 1
    # first order: vega x dvol (a daily vol change)
    worst = max(worst, abs(p - vega * dv) / max(100.0, abs(vega * dv)))
assert rolls >= 3, rolls  # the window crosses month ends where it matters
assert worst < 0.01, worst
print("ok")
PY
	assert_output ok
}
