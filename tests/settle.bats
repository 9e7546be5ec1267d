#!/usr/bin/env bats
# qe-settle flows, net, invoice.  Every amount is checked against an
# independent pandas/zoneinfo recomputation from the same input files
# (tests/settle/flows_oracle.py), never against qe-settle's own output.

load helpers

ORACLE="$QE_TOP/tests/settle/flows_oracle.py"

# A small book: DST month of power (745 h), gas days, swaps on a spot, a
# front and a last-day index, an EUA spot, a future whose margin rolls over
# Columbus Day (Fedwire closed), a NERC 5x16 delivery, an amend and a cancel.
small_book() {
	cat > book.csv <<'CSV'
trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry,avg_start,avg_end,curve2,ratio,model
S1,1,new,2026-08-20,POWER_EU,t1,CP003,physical,DE_BASE,buy,10,MW,80.5,EUR,2026-10-01,2026-10-31,base,,,,,,,,,
S2,1,new,2026-08-20,GAS_EU,t1,CP002,swap,TTF,sell,1000,MWh,35,EUR,2026-09-01,2026-09-30,,,,,,,,,,
S3,1,new,2026-08-20,GAS_US,t1,CP001,swap,NG_HH,buy,10000,MMBtu,2.9,USD,2026-09-01,2026-09-30,,,,,,,,,,
S4,1,new,2026-08-20,OIL,t1,CP001,swap,CL_WTI,buy,5000,bbl,61.25,USD,2026-10-01,2026-10-31,,,,,,,,,,
S5,1,new,2026-11-20,CARBON,t1,CP002,spot,EUA,buy,500,t,80.125,EUR,2026-11-26,2026-11-26,,,,,,,,,,
S6,1,new,2026-08-20,GAS_EU,t1,CP002,physical,TTF,sell,5,MW,33.3,EUR,2026-10-01,2026-10-31,gasday,,,,,,,,,
S7,1,new,2026-10-05,GAS_US,t1,CME_CLEARING,future,NG_HH,buy,2,lots,3.1,USD,2026-12-01,2026-12-31,gasday,,,,,,,,,
S8,1,new,2026-08-20,POWER_US,t1,CP001,physical,PJM_WH_PEAK,sell,25,MW,55.5,USD,2026-09-01,2026-09-30,5x16,,,,,,,,,
S9,1,new,2026-08-20,POWER_EU,t1,CP003,physical,DE_BASE,buy,99,MW,80,EUR,2026-10-01,2026-10-31,base,,,,,,,,,
S9,2,cancel,2026-08-21,POWER_EU,t1,CP003,physical,DE_BASE,buy,99,MW,80,EUR,2026-10-01,2026-10-31,base,,,,,,,,,
S2,2,amend,2026-08-21,GAS_EU,t1,CP002,swap,TTF,sell,1200,MWh,35.5,EUR,2026-09-01,2026-09-30,,,,,,,,,,
CSV
}

@test "settle: --help of the tool and of each command; an option of another command is exit 2" {
	run qe-settle --help
	assert_success
	assert_output --partial "invoice"
	for c in flows net invoice pay; do
		run qe-settle "$c" --help
		assert_success
		assert_output --partial "usage: qe-settle $c"
	done
	run qe-settle net --html x
	[ "$status" -eq 2 ]
	run qe-settle flows --from 2026-13-01 --to 2026-12-01
	[ "$status" -eq 2 ]
	run qe-settle nosuch
	[ "$status" -eq 2 ]
}

@test "settle: the calendars bundle TARGET2 and the Federal Reserve's, 2020-2035" {
	grep -q '^2026-04-06 ' "$DATA/calendars/TARGET2.txt"   # Easter Monday
	grep -q '^2026-12-25 ' "$DATA/calendars/TARGET2.txt"
	! grep -q '^2026-05-25 ' "$DATA/calendars/TARGET2.txt" # Whit Monday is open
	grep -q '^2026-10-12 ' "$DATA/calendars/FED.txt"       # Columbus Day
	grep -q '^2026-11-11 ' "$DATA/calendars/FED.txt"       # Veterans Day
	grep -q '^2022-12-26 ' "$DATA/calendars/FED.txt"       # Christmas on a Sunday
	! grep -q '^2021-12-31 ' "$DATA/calendars/FED.txt"     # Saturday 1 Jan 2022: open Friday
	grep -q '^# covers: 2020-2035' "$DATA/calendars/FED.txt"
	[ "$(grep -c '^2035-' "$DATA/calendars/FED.txt")" -ge 10 ]
}

@test "settle: flows of the bundled book, Sep-Nov 2026, equal the pandas recomputation" {
	run_split qe-settle flows --data "$DATA" --from 2026-09-01 --to 2026-11-30 -o flows.csv
	assert_success
	"$PYORACLE" "$ORACLE" "$DATA" "$DATA/trades.csv" 2026-09-01 2026-11-30 "$DATA/calendars" > want.csv
	[ "$(wc -l < want.csv)" -gt 1000 ]
	diff want.csv flows.csv
}

# flows_vs_oracle BOOK FROM TO: qe-settle flows of BOOK into flows.csv,
# equal to the oracle's recomputation.
flows_vs_oracle() {
	run qe-settle flows --data "$DATA" --trades "$1" --from "$2" --to "$3" -o flows.csv
	assert_success
	"$PYORACLE" "$ORACLE" "$DATA" "$1" "$2" "$3" "$DATA/calendars" > want.csv
	diff want.csv flows.csv
}

@test "settle: DST power month, gas days, swaps, EUA, holiday roll equal the recomputation" {
	small_book
	flows_vs_oracle book.csv 2026-09-01 2026-12-04
	# October 2026 in Europe/Berlin has 745 hours: 10 MW x 745 h x 80.5
	grep -qx 'S1,CP003,physical_delivery,pay,2026-11-13,EUR,59972500' flows.csv
	grep -q '^S2,CP002,swap_settlement,' flows.csv
	grep -q '^S3,CP001,swap_settlement,' flows.csv
	grep -q '^S4,CP001,swap_settlement,' flows.csv
	grep -qx 'S5,CP002,eua_delivery,pay,2026-12-01,EUR,4006250' flows.csv
	grep -q '^S8,CP001,physical_delivery,receive,' flows.csv
	! grep -q '^S9,' flows.csv
	# the margin of Friday 9 October pays Tuesday 13: Monday is Columbus Day
	grep -q '^S7,CME_CLEARING,variation_margin,.*,2026-10-13,USD,' flows.csv
	! grep -q ',2026-10-12,USD,' flows.csv
}

@test "settle: unknown counterparty, missing fixing, no payment calendar are exit 3 at file:line:col" {
	small_book
	sed -i 's/^S4,1,new,2026-08-20,OIL,t1,CP001/S4,1,new,2026-08-20,OIL,t1,CP999/' book.csv
	run qe-settle flows --data "$DATA" --trades book.csv --from 2026-09-01 --to 2026-12-04
	[ "$status" -eq 3 ]
	assert_output --partial "book.csv:5:7: trade S4: unknown counterparty 'CP999'"
	# November's swaps settle on fixings after the market's last day
	run qe-settle flows --data "$DATA" --from 2026-11-01 --to 2026-12-10
	[ "$status" -eq 3 ]
	assert_output --regexp "trades.csv:[0-9]+:9: trade T[0-9]+: no fixing of [A-Z_]+ on 2026-11-2[6-9]"
	small_book
	cp "$DATA/currencies.csv" ccy.csv
	sed -i 's/^EUR,2,TARGET2,/EUR,2,,/' ccy.csv
	run qe-settle flows --data "$DATA" --currencies ccy.csv --trades book.csv --from 2026-09-01 --to 2026-12-04
	[ "$status" -eq 3 ]
	assert_output --partial "no payment calendar for currency EUR"
	printf 'currency,exponent,calendar\nEUR,9,TARGET2\n' > bad.csv
	run qe-settle flows --data "$DATA" --currencies bad.csv --trades book.csv --from 2026-09-01 --to 2026-12-04
	[ "$status" -eq 3 ]
	assert_output --partial "bad.csv:2:2:"
}

@test "settle: a bad trade row is exit 3 at its line and column; no output is left" {
	small_book
	sed -i 's/^S3,1,new,2026-08-20/S3,1,new,2026-02-30/' book.csv
	run qe-settle flows --data "$DATA" --trades book.csv --from 2026-09-01 --to 2026-12-04 -o out.csv
	[ "$status" -eq 3 ]
	assert_output --partial "book.csv:4:4:"
	assert_file_not_exists out.csv
	printf 'trade_id,version\n' > empty.csv
	run qe-settle flows --data "$DATA" --trades empty.csv --from 2026-09-01 --to 2026-12-04
	[ "$status" -eq 3 ]
}

@test "settle: output to /dev/full is exit 4" {
	small_book
	run qe-settle flows --data "$DATA" --trades book.csv --from 2026-09-01 --to 2026-12-04 -o /dev/full
	[ "$status" -eq 4 ]
	qe-settle flows --data "$DATA" --trades book.csv --from 2026-09-01 --to 2026-12-04 -o f.csv
	run qe-settle net --data "$DATA" f.csv -o /dev/full
	[ "$status" -eq 4 ]
}

@test "settle: nets of random books reconcile exactly with their gross flows (pandas)" {
	for seed in 1 2 3 4 5; do
		"$PYORACLE" - "$DATA/counterparties.csv" "$seed" > flows.csv <<'PY'
import sys, numpy as np, pandas as pd
cp = pd.read_csv(sys.argv[1])['counterparty'].tolist()
r = np.random.default_rng(int(sys.argv[2]))
n = int(r.integers(1, 3000))
print('trade_id,counterparty,kind,direction,value_date,currency,amount_minor')
for i in range(n):
    print(f"T{r.integers(0, 400):05d},{cp[r.integers(0, len(cp))]},"
          f"{['variation_margin','swap_settlement','physical_delivery','option_premium','eua_delivery'][r.integers(0, 5)]},"
          f"{['pay','receive'][r.integers(0, 2)]},2026-12-{r.integers(1, 6):02d},"
          f"{['EUR','USD','JPY'][r.integers(0, 3)]},{int(r.integers(0, 10**int(r.integers(1, 13))))}")
PY
		run_split qe-settle net --data "$DATA" flows.csv -o net.csv
		assert_success
		"$PYORACLE" - "$DATA/counterparties.csv" flows.csv net.csv <<'PY'
import sys, pandas as pd
cp = pd.read_csv(sys.argv[1]).set_index('counterparty')['netting']
f = pd.read_csv(sys.argv[2], keep_default_na=False)
n = pd.read_csv(sys.argv[3], keep_default_na=False)
f['s'] = f.amount_minor.where(f.direction == 'receive', -f.amount_minor)
n['s'] = n.amount_minor.where(n.direction == 'receive', -n.amount_minor)
net = f[f.counterparty.map(cp) == 'yes'].groupby(['counterparty', 'currency', 'value_date']).agg(
    s=('s', 'sum'), k=('s', 'size'))
got = n[n.basis == 'net'].set_index(['counterparty', 'currency', 'value_date'])
assert set(got.index) == set(net.index), 'netted groups differ'
assert (got.loc[net.index, 's'] == net.s).all(), 'net amounts differ'
assert (got.loc[net.index, 'flows'] == net.k).all(), 'flow counts differ'
g = f[f.counterparty.map(cp) == 'no']
gn = n[n.basis == 'gross']
assert len(g) == len(gn) and (gn.flows == 1).all()
assert sorted(zip(g.trade_id, g.s)) == sorted(zip(gn.trade_id, gn.s)), 'gross payments differ'
for key, s in f.groupby(['counterparty', 'currency'])['s'].sum().items():
    assert n[(n.counterparty == key[0]) & (n.currency == key[1])].s.sum() == s, key
PY
	done
}

@test "settle: invoice totals equal the netted flows; HTML is self-contained and escaped" {
	small_book
	qe-settle flows --data "$DATA" --trades book.csv --from 2026-09-01 --to 2026-12-04 -o f.csv
	qe-settle net --data "$DATA" f.csv -o net.csv
	mkdir html
	run_split qe-settle invoice --data "$DATA" --from 2026-10-01 --to 2026-11-30 f.csv -o inv.csv --html html
	assert_success
	"$PYORACLE" - net.csv inv.csv <<'PY'
import sys, pandas as pd
n = pd.read_csv(sys.argv[1], keep_default_na=False)
v = pd.read_csv(sys.argv[2], keep_default_na=False, dtype={'amount': str})
n = n[(n.value_date >= '2026-10-01') & (n.value_date <= '2026-11-30')]
n['s'] = n.amount_minor.where(n.direction == 'receive', -n.amount_minor)
v['s'] = v.amount_minor.where(v.direction == 'receive', -v.amount_minor)
tot = v[v.row == 'total'].set_index(['counterparty', 'currency']).s
want = n.groupby(['counterparty', 'currency']).s.sum()
assert len(tot) == len(want) and (tot.loc[want.index] == want).all(), (tot, want)
pay = v[v.row == 'payment']
assert sorted(zip(pay.counterparty, pay.value_date, pay.s)) == sorted(zip(n.counterparty, n.value_date, n.s))
lines = v[v.row == 'line'].groupby(['counterparty', 'currency']).s.sum()
assert (lines.loc[want.index] == want).all()
# the decimal amount is the minor units over 10^2
assert all(int(a.replace('.', '').replace('-', '')) == abs(m) for a, m in zip(v.amount, v.s))
PY
	[ "$(ls html | wc -l)" -eq "$(grep -c ',total,' inv.csv)" ]
	grep -q '<td class="n">-599725.00</td>' html/INV-20261001-CP003.html
	! grep -qiE 'https?:|<script|<link|src=' html/*.html
	# a counterparty name with markup is escaped
	printf 'trade_id,counterparty,kind,direction,value_date,currency,amount_minor\nX1,"A<b>&""c",option_premium,pay,2026-10-02,EUR,125\n' > x.csv
	printf 'counterparty,netting\n"A<b>&""c",yes\n' > cps.csv
	mkdir h2
	run qe-settle invoice --data "$DATA" --counterparties cps.csv --from 2026-10-01 --to 2026-10-31 x.csv --html h2
	assert_success
	grep -q 'A&lt;b&gt;&amp;&quot;c' h2/*.html
	! grep -q 'A<b>' h2/*.html
}

@test "settle: a bad flows file is exit 3 at file:line:col" {
	printf 'trade_id,counterparty,kind,direction,value_date,currency,amount_minor\nX,CP001,option_premium,owe,2026-10-02,EUR,1\n' > f.csv
	run qe-settle net --data "$DATA" f.csv
	[ "$status" -eq 3 ]
	assert_output --partial "f.csv:2:4:"
	printf 'trade_id,counterparty,kind,direction,value_date,currency,amount_minor\nX,CP999,option_premium,pay,2026-10-02,EUR,1\n' > g.csv
	run qe-settle net --data "$DATA" g.csv
	[ "$status" -eq 3 ]
	assert_output --partial "unknown counterparty 'CP999'"
}

@test "settle: a future whose month the history does not quote pays no margin (no crash)" {
	# the first future of the bundled book, moved to a month beyond the history's tenors
	{ head -1 "$DATA/trades.csv"
	  grep -m1 ',future,NG_HH,' "$DATA/trades.csv" | sed 's/^T[0-9]*,/T99999999,/' |
		sed 's/,20[0-9][0-9]-[0-9][0-9]-01,20[0-9][0-9]-[0-9][0-9]-[0-9][0-9],/,2035-01-01,2035-01-31,/'; } > far.csv
	grep -q ',2035-01-01,2035-01-31,' far.csv
	run_split qe-settle flows --data "$DATA" --trades far.csv --from 2026-01-01 --to 2026-12-04 -o flows.csv
	assert_success
	[ "$(cat flows.csv)" = "trade_id,counterparty,kind,direction,value_date,currency,amount_minor" ]
}

# qe-settle margin.  Every scenario loss and every margin is checked against
# an independent scipy recomputation (tests/settle/margin_oracle.py).
MORACLE="$QE_TOP/tests/settle/margin_oracle.py"
CLOSE="$QE_TOP/tests/settle/csv_close.py"

# Two accounts: NG futures over two months (a spread) and a short NG put,
# a CL call, Bachelier DE_BASE options in MW with a DE future, an EUA
# short call; an amend, a cancel, an expired option, a future already in
# delivery and an HO future (no scan range): the last three not scanned.
margin_book() {
	cp "$QE_TOP/tests/settle/margin_book.csv" book.csv
}

@test "settle margin: every scenario loss and margin of a crafted book equal the scipy recomputation" {
	margin_book
	run_split qe-settle margin --data "$DATA" --trades book.csv --asof 2026-11-25 -o m.csv --scenarios s.csv
	assert_success
	[[ "$stderr" == *"2 accounts, 7 positions scanned, 3 futures and options not scanned"* ]]
	"$PYORACLE" "$MORACLE" "$DATA" book.csv "$DATA/span_ranges.csv" 2026-11-25 want_m.csv want_s.csv
	"$PYORACLE" "$CLOSE" s.csv want_s.csv
	"$PYORACLE" "$CLOSE" m.csv want_m.csv
	[ "$(wc -l < s.csv)" -eq $((1 + 16 * 4)) ]
	# the spread: 12 long Jan against 6 short Mar (and the put's delta) in NG
	"$PYORACLE" - <<'PY'
import csv
m = {r['account']: r for r in csv.DictReader(open('m.csv'))}
assert float(m['GAS_US']['spread_charge']) > 0
assert float(m['GAS_US']['short_option_min']) == 4 * 150
assert float(m['POWER_EU']['short_option_min']) == 5 * 60 + 7 * 100
PY
}

@test "settle margin: one long future's scan is its extreme move x 35%, by hand" {
	margin_book
	head -2 book.csv > one.csv
	run qe-settle margin --data "$DATA" --trades one.csv --asof 2026-11-25 --scenarios s.csv
	assert_success
	# 10 lots x 10,000 MMBtu x 3 x 0.75 USD x 0.35 = 78,750 (> 1 scan: 75,000)
	assert_line --index 1 "GAS_US,USD,78750,0,0,78750"
	run grep -c ',NG_HH,' s.csv
	assert_output 16
	grep -q '^GAS_US,USD,NG_HH,13,-0.75,0.2,1,75000$' s.csv
}

@test "settle margin: the bundled book, every account and scenario, equal the scipy recomputation" {
	run_split qe-settle margin --data "$DATA" --asof 2026-11-25 -o m.csv --scenarios s.csv
	assert_success
	"$PYORACLE" "$MORACLE" "$DATA" "$DATA/trades.csv" "$DATA/span_ranges.csv" 2026-11-25 want_m.csv want_s.csv
	"$PYORACLE" "$CLOSE" s.csv want_s.csv
	"$PYORACLE" "$CLOSE" m.csv want_m.csv
	[ "$(wc -l < m.csv)" -ge 7 ]
}

@test "settle margin: bad scan ranges and unpriceable positions are exit 3 at file:line:column, no output" {
	margin_book
	printf 'curve,price_scan,vol_scan,extreme_move,extreme_cover,spread_charge,short_option_min\nNG_HH,-1,0.2,3,0.35,600,150\n' > r1.csv
	run qe-settle margin --data "$DATA" --trades book.csv --ranges r1.csv --asof 2026-11-25 -o m.csv
	[ "$status" -eq 3 ]
	assert_output --partial "r1.csv:2:2: column 'price_scan': must be above 0"
	assert_file_not_exists m.csv
	printf 'curve,price_scan,vol_scan,extreme_move,extreme_cover,spread_charge,short_option_min\nNG_HH,1,0.2,3,0.35,600,150\nXX,1,0.2,3,0.35,600,150\n' > r2.csv
	run qe-settle margin --data "$DATA" --trades book.csv --ranges r2.csv --asof 2026-11-25
	[ "$status" -eq 3 ]
	assert_output --partial "r2.csv:3:1: column 'curve': 'XX' is not in"
	printf 'curve,price_scan,vol_scan,extreme_move,extreme_cover,spread_charge,short_option_min\nNG_HH,1,0.2,3,1.5,600,150\n' > r3.csv
	run qe-settle margin --data "$DATA" --trades book.csv --ranges r3.csv --asof 2026-11-25
	[ "$status" -eq 3 ]
	assert_output --partial "r3.csv:2:5: column 'extreme_cover': must be 0..1, not 1.5"
	printf 'curve,price_scan,vol_scan\nNG_HH,1,0.2\n' > r4.csv
	run qe-settle margin --data "$DATA" --trades book.csv --ranges r4.csv --asof 2026-11-25
	[ "$status" -eq 3 ]
	# a lognormal forward scanned to zero or below
	printf 'curve,price_scan,vol_scan,extreme_move,extreme_cover,spread_charge,short_option_min\nNG_HH,2,0.2,3,0.35,600,150\n' > r5.csv
	run qe-settle margin --data "$DATA" --trades book.csv --ranges r5.csv --asof 2026-11-25
	[ "$status" -eq 3 ]
	assert_output --regexp "r5.csv:2:2: the scan of NG_HH moves the forward [0-9.]+ of trade M[0-9] to -[0-9.]+, not above zero"
	# a position with no forward (delivery beyond the curve)
	sed 's/^M2,1,new,\(.*\),2027-03-01,2027-03-31,/M2,1,new,\1,2035-03-01,2035-03-31,/' book.csv > far.csv
	run qe-settle margin --data "$DATA" --trades far.csv --asof 2026-11-25 -o m.csv
	[ "$status" -eq 3 ]
	assert_output --partial "far.csv:3:9: trade M2: no forward of NG_HH for 2035-03-01"
	assert_file_not_exists m.csv
	# a row the trade validator rejects
	sed 's/^M4,1,new,2026-10-01,GAS_US,t1,CME_CLEARING,option,CL_WTI,buy,3,/M4,1,new,2026-10-01,GAS_US,t1,CME_CLEARING,option,CL_WTI,buy,-3,/' book.csv > neg.csv
	run qe-settle margin --data "$DATA" --trades neg.csv --asof 2026-11-25
	[ "$status" -eq 3 ]
	assert_output --regexp "neg.csv:5:11: "
	run qe-settle margin --data "$DATA" --trades book.csv
	[ "$status" -eq 2 ]
	run qe-settle margin --data "$DATA" --trades book.csv --asof 2026-11-25 -o /dev/full
	[ "$status" -eq 4 ]
}

@test "settle flows: option exercises, power final settlement, Asian and spread premiums equal the recomputation" {
	# X1 European NG call in the money at expiry: cash; X2 its put: out of
	# the money, nothing; X3 a short American CL put in the money: a long
	# future at the strike from expiry; X8 its call: nothing; X4 a European
	# DE_BASE call in MW; X5 a DE_BASE future settled on September's index;
	# X6 an Asian and X7 a spread option: premiums.
	cp "$QE_TOP/tests/settle/exercise_book.csv" book.csv
	flows_vs_oracle book.csv 2026-09-01 2026-11-30
	mv flows.csv got.csv
	# by hand: NG (4.254 - 4) x 30,000 MMBtu; DE (102.32 - 100) x 5 MW x 720 h
	grep -qx 'X1,CME_CLEARING,option_exercise,receive,2026-11-23,USD,762000' got.csv
	grep -qx 'X4,CP003,option_exercise,receive,2026-10-29,EUR,835200' got.csv
	# the exercised put: long 2,000 bbl at 65 against 63.5 on expiry
	grep -qx 'X3,CME_CLEARING,variation_margin,pay,2026-11-17,USD,300000' got.csv
	[ "$(grep -c '^X5,CP003,final_settlement,' got.csv)" -eq 1 ]
	[ "$(grep -c '^X6,CP028,option_premium,pay,' got.csv)" -eq 1 ]
	[ "$(grep -c '^X7,CP016,option_premium,receive,' got.csv)" -eq 1 ]
	! grep -q '^X2,\|^X8,' got.csv
	# an exercise whose settlement is missing is exit 3 at the trade
	sed 's/,call,4,european,2026-11-20,/,call,4,european,2026-11-21,/' book.csv > sat.csv
	run qe-settle flows --data "$DATA" --trades sat.csv --from 2026-09-01 --to 2026-11-30
	[ "$status" -eq 3 ]
	assert_output --partial "sat.csv:2:9: trade X1: no settlement of NG_HH on 2026-11-21"
}

# --- qe-settle pay ------------------------------------------------------------
PAY_ORACLE="$QE_TOP/tests/settle/pay_oracle.py"
XSD="$QE_TOP/data/schema/pain.001.001.09-subset.xsd"

# The payments of the bundled book, Sep-Nov 2026 (net.csv).
bundled_net() {
	qe-settle flows -q --data "$DATA" --from 2026-09-01 --to 2026-11-30 -o f.csv
	qe-settle net -q --data "$DATA" f.csv -o net.csv
}

@test "settle pay: the bundled book's payment file validates against the XSD; every count and sum agrees (python)" {
	bundled_net
	run_split qe-settle pay --data "$DATA" --asof 2026-11-25 net.csv -o pain.xml --rejects rej.csv
	# CP037's IBAN is cut short on purpose (qe-synth): its payments are held back
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"counterparties.csv:38:20: column 'iban': IBAN length is not its country's 'DE809422621623202624': payment to CP037 "* ]]
	xmllint --noout --schema "$XSD" pain.xml
	run "$PYORACLE" "$PAY_ORACLE" net.csv "$DATA/counterparties.csv" "$DATA/accounts.csv" \
		"$DATA/currencies.csv" pain.xml rej.csv
	assert_success
	assert_output --regexp '^[1-9][0-9]+ paid, [1-9][0-9]* held back$'
	grep -q '<MsgId>eod-2026-11-25</MsgId>' pain.xml
	grep -q '<CreDtTm>2026-11-25T00:00:00+00:00</CreDtTm>' pain.xml
	[ "$(grep -c ',CP037,' <(sed 's/^/,/' rej.csv))" -ge 1 ]
	! grep -q 'DE809422621623202624' pain.xml
}

@test "settle pay: synthetic bank details are valid but for the three broken on purpose (python MOD 97)" {
	"$PYORACLE" - "$DATA/counterparties.csv" "$PAY_ORACLE" <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location('o', sys.argv[2]); o = importlib.util.module_from_spec(spec)
spec.loader.exec_module(o)
bad = sorted(r['counterparty'] for r in o.rows(sys.argv[1]) if not (o.iban_ok(r['iban']) and o.bic_ok(r['bic'])))
assert bad == ['CP012', 'CP027', 'CP037'], bad
PY
}

@test "settle pay: bad bank details hold back that counterparty only, named at file:line:col, exit 3" {
	bundled_net
	cp "$DATA/counterparties.csv" cps.csv
	# CP001 (line 2): a check digit off by one; CP004 (line 5): a 9-character BIC;
	# CP012 (line 13): broken by qe-synth; CP011 (line 12): no IBAN at all
	"$PYORACLE" - cps.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
h = rows[0]; i, b = h.index('iban'), h.index('bic')
rows[1][i] = rows[1][i][:3] + str((int(rows[1][i][3]) + 1) % 10) + rows[1][i][4:]
rows[4][b] = rows[4][b][:9]
rows[11][i] = ''
csv.writer(open(sys.argv[1], 'w', newline=''), lineterminator='\n').writerows(rows)
PY
	grep -q "^CP001,.*,pay," net.csv || fail "the bundled book no longer has a payment to CP001: pick another counterparty"
	run_split qe-settle pay --data "$DATA" --counterparties cps.csv --asof 2026-11-25 net.csv -o pain.xml --rejects rej.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"cps.csv:2:20: column 'iban': IBAN check digits do not verify (MOD 97-10) '"* ]]
	xmllint --noout --schema "$XSD" pain.xml
	run "$PYORACLE" "$PAY_ORACLE" net.csv cps.csv "$DATA/accounts.csv" "$DATA/currencies.csv" pain.xml rej.csv
	assert_success
	grep -q ',CP001,' <(sed 's/^/,/' rej.csv)
	grep -q 'cps.csv:2:20' rej.csv
	for c in CP004 CP011; do
		if grep -q "^$c,.*,pay," net.csv; then grep -q "^$c," rej.csv; fi
	done
	! grep -q 'Northwind Energy Trading' pain.xml
}

@test "settle pay: amounts are exact from minor units and the ISO 4217 exponent; names are escaped" {
	cat > net.csv <<'CSV'
counterparty,currency,value_date,basis,flows,direction,amount_minor,trade_id
CP001,EUR,2026-12-01,net,3,pay,900719925474099,
CP001,EUR,2026-12-01,net,1,pay,1,
CP002,JPY,2026-12-02,gross,1,pay,123456789,T9
CP004,USD,2026-12-02,net,2,pay,5,
CP004,USD,2026-12-03,net,2,receive,77,
CP004,USD,2026-12-04,net,2,pay,0,
CSV
	printf 'counterparty,name,netting,iban,bic\nCP001,"A&B <Power> ""Trading""",yes,DE89370400440532013000,DEUTDEFFXXX\nCP002,Bluefjord,yes,GB82WEST12345698765432,WESTGB22\nCP004,Ardent,no,NL91ABNA0417164300,ABNANL2A\n' > cps.csv
	run_split qe-settle pay --data "$DATA" --counterparties cps.csv --run-id T-2026-12-01 net.csv -o pain.xml
	assert_success
	xmllint --noout --schema "$XSD" pain.xml
	grep -q '<InstdAmt Ccy="EUR">9007199254740.99</InstdAmt>' pain.xml
	grep -q '<InstdAmt Ccy="EUR">0.01</InstdAmt>' pain.xml
	grep -q '<InstdAmt Ccy="JPY">123456789</InstdAmt>' pain.xml
	grep -q '<InstdAmt Ccy="USD">0.05</InstdAmt>' pain.xml
	grep -q '<Nm>A&amp;B &lt;Power&gt; &quot;Trading&quot;</Nm>' pain.xml
	grep -q '<Ustrd>INV-20261201-CP002 trade T9 value 2026-12-02</Ustrd>' pain.xml
	[ "$(grep -c '<CdtTrfTxInf>' pain.xml)" -eq 4 ]
	run "$PYORACLE" "$PAY_ORACLE" net.csv cps.csv "$DATA/accounts.csv" "$DATA/currencies.csv" pain.xml -
	assert_success
	# the control sum adds exponents 2 and 0 exactly (Decimal)
	"$PYORACLE" - pain.xml <<'PY'
import sys, xml.etree.ElementTree as ET
from decimal import Decimal
ns = {'p': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'}
d = ET.parse(sys.argv[1]).getroot()
want = Decimal('9007199254740.99') + Decimal('0.01') + Decimal(123456789) + Decimal('0.05')
assert Decimal(d.find('p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum', ns).text) == want
assert d.find('p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId', ns).text == 'T-2026-12-01'
PY
}

@test "settle pay: a rerun is byte-identical; a run id never names two different files" {
	bundled_net
	run qe-settle pay -q --data "$DATA" --asof 2026-11-25 net.csv -o a.xml
	[ "$status" -eq 3 ]
	QE_RUN_ID=eod-2026-11-25 run qe-settle pay -q --data "$DATA" net.csv -o b.xml
	[ "$status" -eq 3 ]
	cmp a.xml b.xml
	# the same run again over the same file: same bytes, accepted
	run qe-settle pay -q --data "$DATA" --asof 2026-11-25 net.csv -o a.xml
	[ "$status" -eq 3 ]
	cmp a.xml b.xml
	# other payments under the same run id: refused, the file is kept
	head -n 40 net.csv > less.csv
	run qe-settle pay -q --data "$DATA" --asof 2026-11-25 less.csv -o a.xml
	[ "$status" -eq 3 ]
	assert_output --partial "a.xml: holds run eod-2026-11-25 with other payments"
	cmp a.xml b.xml
	# a new run id writes a new message
	run qe-settle pay -q --data "$DATA" --run-id eod-2026-11-25-r2 less.csv -o a.xml
	grep -q '<MsgId>eod-2026-11-25-r2</MsgId>' a.xml
	run qe-settle pay --data "$DATA" net.csv
	[ "$status" -eq 2 ]
	run qe-settle pay --data "$DATA" --run-id 'bad id' --asof 2026-11-25 net.csv
	[ "$status" -eq 2 ]
	run qe-settle pay --data "$DATA" --run-id aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --asof 2026-11-25 net.csv
	[ "$status" -eq 2 ]
}

@test "settle pay: bad input, missing columns, /dev/full: exit 3 or 4 and no payment file" {
	bundled_net
	run qe-settle pay -q --data "$DATA" --asof 2026-11-25 net.csv -o /dev/full
	[ "$status" -eq 4 ]
	# a counterparty master without bank details
	cut -d, -f1-15 "$DATA/counterparties.csv" > nobank.csv
	run qe-settle pay --data "$DATA" --counterparties nobank.csv --asof 2026-11-25 net.csv -o pain.xml --rejects rej.csv
	[ "$status" -eq 3 ]
	assert_output --partial "nobank.csv:1:1: missing required column 'iban'"
	assert_file_not_exists pain.xml
	assert_file_not_exists rej.csv
	# a payments file without its amount
	cut -d, -f1-6 net.csv > cut.csv
	run qe-settle pay --data "$DATA" --asof 2026-11-25 cut.csv -o pain.xml
	[ "$status" -eq 3 ]
	assert_output --partial "missing required column 'amount_minor'"
	# a bad row, at its line and column
	sed '3s/,pay,/,owe,/;3s/,receive,/,owe,/' net.csv > bad.csv
	run qe-settle pay --data "$DATA" --asof 2026-11-25 bad.csv -o pain.xml
	[ "$status" -eq 3 ]
	assert_output --partial "bad.csv:3:6: column 'direction'"
	# our own account with a wrong check digit is the whole run's error
	sed 's/^EUR,DE93/EUR,DE94/' "$DATA/accounts.csv" > acc.csv
	run qe-settle pay --data "$DATA" --accounts acc.csv --asof 2026-11-25 net.csv -o pain.xml --rejects rej.csv
	[ "$status" -eq 3 ]
	assert_output --partial "acc.csv:2:2: column 'iban': IBAN check digits do not verify"
	assert_file_not_exists pain.xml
	assert_file_not_exists rej.csv
	[ -z "$(ls | grep '\.tmp\.')" ]
}

@test "settle: a book of many read-ahead blocks - the small book's recomputed flows per copy, 1 or 2 threads; a bad row far in names its line" {
	small_book
	# 1000 copies of the small book, every amend and cancel moved after all
	# the new rows (a block away from their trades)
	"$PYORACLE" - <<'PY'
import csv
rows = list(csv.reader(open("book.csv")))
h, body = rows[0], rows[1:]
st = h.index("status")
new, later = [], []
for k in range(1000):
    for r in body:
        c = list(r)
        c[0] = f"{r[0]}_{k:04d}"
        (new if r[st] == "new" else later).append(c)
with open("big.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(h)
    w.writerows(new + later)
PY
	"$PYORACLE" "$ORACLE" "$DATA" book.csv 2026-09-01 2026-12-04 "$DATA/calendars" > small.csv
	"$PYORACLE" - <<'PY'
import csv
rows = list(csv.DictReader(open("small.csv")))
out = []
for k in range(1000):
    for r in rows:
        c = dict(r)
        c["trade_id"] = f"{r['trade_id']}_{k:04d}"
        out.append(c)
# the order of qe-settle flows: value date, counterparty, currency, trade (stable within a trade)
out.sort(key=lambda r: (r["value_date"], r["counterparty"], r["currency"], r["trade_id"]))
with open("want.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(out)
PY
	for n in 1 2; do
		OMP_NUM_THREADS=$n qe-settle flows -q --data "$DATA" --trades big.csv --from 2026-09-01 --to 2026-12-04 -o f$n.csv
	done
	diff want.csv f1.csv
	cmp f1.csv f2.csv
	# quantity 'x' on line 9001, in the second block (8192 rows each)
	awk -F, -v OFS=, 'NR == 9001 { $11 = "x" } 1' big.csv > bad.csv
	run_split qe-settle flows --data "$DATA" --trades bad.csv --from 2026-09-01 --to 2026-12-04 -o f.csv
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"bad.csv:9001:11: "* ]] || fail "$stderr"
	[ ! -e f.csv ]
}
