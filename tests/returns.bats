#!/usr/bin/env bats
# qe-var: contract (roll-adjusted) against constant-maturity returns, the
# contract column of the history and positions beyond its longest tenor.
# Oracle: numpy under $PYORACLE, from the history file itself.

load helpers

# series_of CURVE TENOR MODE: the daily P&L of a delta of 1 on CURVE:TENOR
# over the last 300 days of the bundled history, returns MODE.
series_of() {
	printf 'trade_id,book,curve,tenor,delta\nT1,B,%s,%s,1\n' "$1" "$2" > "sens-$1-$2.csv"
	qe-var series -q -H "$DATA/history.csv" -m "$DATA/markets.csv" -s "sens-$1-$2.csv" \
		--returns "$3" --window 2 -a 0.5 --days 300 -o "$1-$2-$3.csv"
}

@test "returns: on a roll day tenor 1 compares two contracts under constant-maturity, one under contract (numpy)" {
	for c in CL_WTI DE_BASE; do
		series_of $c 1 contract
		series_of $c 1 constant-maturity
	done
	run "$PYORACLE" - "$DATA/history.csv" "$DATA/markets.csv" <<'PY'
import csv, sys, math
import numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
absret = {r["curve"]: r["returns"] == "abs" for r in csv.DictReader(open(sys.argv[2]))}
dates = sorted({r["date"] for r in rows})
for curve in ("CL_WTI", "DE_BASE"):
    px = {}      # (date, tenor) -> price
    byc = {}     # (date, contract) -> price, of forward tenors
    con = {}     # (date, tenor) -> contract
    for r in rows:
        if r["curve"] != curve:
            continue
        t = int(r["tenor"]); p = float(r["price"])
        px[r["date"], t] = p; con[r["date"], t] = r["contract"]
        if t >= 1:
            byc[r["date"], r["contract"]] = p
    a = max(d for d, t in px)                   # the as-of day of the curve
    F = px[a, 1]
    def change(now, then):
        return now - then if absret[curve] else F * math.expm1(math.log(now / then))
    cm, ct, prev = {}, {}, None
    for d in dates:
        if (d, 1) not in px:                    # exchange closed: no move
            cm[d] = ct[d] = 0.0
            continue
        if prev is not None:
            cm[d] = change(px[d, 1], px[prev, 1])
            ct[d] = change(px[d, 1], byc[prev, con[d, 1]])   # the same contract the day before
        prev = d
    for mode, want in (("constant-maturity", cm), ("contract", ct)):
        got = list(csv.DictReader(open("%s-1-%s.csv" % (curve, mode))))
        assert len(got) == 300, len(got)
        for g in got:
            w = want[g["date"]]
            assert abs(float(g["pnl"]) - w) <= 1e-9 * max(1.0, abs(w)), (curve, mode, g, w)
    # the roll days inside the series: the month of tenor 1 changed
    series = [g["date"] for g in csv.DictReader(open("%s-1-contract.csv" % curve))]
    roll = []
    last = None
    for d in dates:
        if (d, 1) in px:
            if last is not None and con[d, 1] != con[last, 1] and d in series:
                roll.append(d)
            last = d
    assert len(roll) >= 12, (curve, roll)
    # two neighbouring contracts can settle at one price by chance; most differ
    differ = [d for d in roll if abs(cm[d] - ct[d]) > 1e-6 * abs(F)]
    assert len(differ) >= len(roll) // 2, (curve, roll, differ)
    # off the roll days the two modes agree
    assert all(cm[d] == ct[d] for d in series if d not in roll), curve
    print(curve, "roll days", len(roll), "differ", len(differ))
PY
	echo "$output"
	assert_success
	assert_output --partial "CL_WTI roll days"
}

@test "returns: a 4-column history derives the contracts from the tenor and the roll rule, same VaR" {
	qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		-o val.csv --sensitivities sens.csv 2> /dev/null
	cut -d, -f1-3,5 "$DATA/history.csv" > old.csv
	run head -1 old.csv
	assert_output "date,curve,tenor,price"
	qe-var hs -q -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.99,0.975 > five.csv
	qe-var hs -q -H old.csv -m "$DATA/markets.csv" -s sens.csv -a 0.99,0.975 > four.csv
	run cmp five.csv four.csv
	assert_success
	# and the contract mode is not the constant-maturity one on this book
	qe-var hs -q -H old.csv -m "$DATA/markets.csv" -s sens.csv -a 0.99,0.975 --returns constant-maturity > cm.csv
	run cmp -s four.csv cm.csv
	assert_failure
}

@test "returns: a contract that is not the tenor's month is bad data at file:line:col (qe-var, qe-ingest)" {
	printf 'date,curve,tenor,contract,price\n2026-11-24,NG_HH,1,2026-12,4.1\n2026-11-25,NG_HH,1,2027-01,4.2\n' > h.csv
	printf 'trade_id,book,curve,tenor,delta\nT1,B,NG_HH,1,1\n' > s.csv
	run_split qe-var hs -H h.csv -s s.csv
	assert_failure 3
	[[ "$stderr" == *"h.csv:3:4: column 'contract': contract of tenor 1 on this date is 2026-12"* ]] || fail "$stderr"
	run_split qe-ingest history h.csv --rejects rej.csv -o out.csv
	run cat rej.csv
	assert_output --partial "contract of tenor 1 on this date is 2026-12"
	# empty is the tenor's month: accepted by both, as the 4-column layout
	printf 'date,curve,tenor,contract,price\n2026-11-24,NG_HH,1,,4.1\n' > e.csv
	run_split qe-ingest history e.csv -o e.out.csv
	assert_success
	printf 'date,curve,tenor,contract,price\n2026-11-24,NG_HH,0,2026-1,4.1\n' > m.csv
	run_split qe-var hs -H m.csv -s s.csv
	assert_failure 3
	[[ "$stderr" == *"m.csv:2:4: column 'contract': contract month is not YYYY-MM"* ]] || fail "$stderr"
}

@test "returns: a position beyond the history's longest tenor maps to it, one message counts the rows" {
	# the bundled history reaches tenor 36: a tenor-30 position has its own factor
	printf 'trade_id,book,curve,tenor,delta\nT1,B,CL_WTI,30,1\n' > s30.csv
	printf 'trade_id,book,curve,tenor,delta\nT1,B,CL_WTI,36,1\n' > s36.csv
	printf 'trade_id,book,curve,tenor,delta\nT1,B,CL_WTI,12,1\n' > s12.csv
	printf 'trade_id,book,curve,tenor,delta\nT1,B,CL_WTI,40,1\nT2,B,CL_WTI,41,1\nT3,B,CL_WTI,36,-1\n' > s40.csv
	for t in 30 36 12; do
		qe-var hs -q -H "$DATA/history.csv" -m "$DATA/markets.csv" -s s$t.csv > v$t.csv
	done
	run cmp -s v30.csv v12.csv
	assert_failure
	run cmp -s v30.csv v36.csv
	assert_failure
	run_split qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" -s s40.csv
	assert_success
	[[ "$stderr" == *"s40.csv: 2 rows with a tenor beyond the history's longest of their curve mapped to it"* ]] || fail "$stderr"
	# 1 + 1 - 1 on CL_WTI:36 is the tenor-36 position
	assert_equal "$(echo "$output" | cut -d, -f6)" "$(cut -d, -f6 v36.csv)"
	# a history that stops at tenor 12 carries tenor 30 on tenor 12
	awk -F, 'NR == 1 || $3 <= 12' "$DATA/history.csv" > h12.csv
	run_split qe-var hs -H h12.csv -m "$DATA/markets.csv" -s s30.csv
	assert_success
	[[ "$stderr" == *"1 rows with a tenor beyond"* ]] || fail "$stderr"
	# the same VaR as a tenor-12 position on that history, byte for byte
	# (not the full history's tenor 12: on a roll day its contract returns
	# chain through tenor 13, which h12 lacks)
	echo "$output" > h12var.csv
	qe-var hs -q -H h12.csv -m "$DATA/markets.csv" -s s12.csv > h12v12.csv
	cmp h12var.csv h12v12.csv
}
