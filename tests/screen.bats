#!/usr/bin/env bats
# qe-screen: the LEI utility and the rule sets of check.  Expected answers
# (MOD 97-10, credit exposures, ratios) are computed here by Debian's
# python, never taken from qe-screen's own output.

load helpers

# LEIs published in the GLEIF register (the first is DOMAIN.md's example).
REAL_LEIS="5493001KJTIIGC8Y1R12 7LTWFZYICNSX8D621K86 HWUPKR0MPOU8FGXBT394 529900T8BM49AURSDO55 INR2EJN1ERAN0W5ZP974 506700GE1G29325QX363 B4TYDEB6GKMZO031MB27"

@test "lei: published LEIs are valid (exit 0), valid,reason appended to every column" {
	{ echo 'name,lei'; i=0; for l in $REAL_LEIS; do i=$((i+1)); echo "\"n, $i\",$l"; done; } > in.csv
	run_split qe-screen lei in.csv
	assert_success
	[ "${lines[0]}" = "name,lei,valid,reason" ]
	[ "${#lines[@]}" -eq 8 ]
	for i in $(seq 1 7); do [[ "${lines[$i]}" == \"n,\ $i\",*,true, ]] || fail "line $i: ${lines[$i]}"; done
}

@test "lei: every single-character corruption of published LEIs, answer computed by python" {
	"$PYORACLE" - $REAL_LEIS > in.csv <<'PY'
import sys
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
print("lei")
for lei in sys.argv[1:]:
    for i in range(20):
        for c in alphabet:
            if c != lei[i]:
                print(lei[:i] + c + lei[i+1:])
PY
	run qe-screen lei -q -o out.csv in.csv
	[ "$status" -eq 1 ] || fail "exit $status, want 1"
	"$PYORACLE" - <<'PY'
import csv, re
rows = list(csv.DictReader(open("out.csv")))
assert len(rows) == 7 * 20 * 35, len(rows)
def valid(s):
    if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", s):
        return False
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1
missed = 0
for r in rows:
    want = valid(r["lei"])
    missed += want
    assert r["valid"] == ("true" if want else "false"), r
    assert (r["reason"] == "") == want, r
# MOD 97-10 misses some corruptions (a digit for a letter): the test must
# see at least one, or it would not tell the check from "all invalid"
assert missed > 0, "no undetected corruption: the oracle set is too small"
PY
}

@test "lei: reasons for length, characters, check digits; empty lei" {
	printf 'lei\n5493001KJTIIGC8Y1R1\n5493001kJTIIGC8Y1R12\n5493001KJTIIGC8Y1RX2\n5493001KJTIIGC8Y1R13\n""\n' > in.csv
	run_split qe-screen lei in.csv
	assert_failure 1
	assert_line --index 1 '5493001KJTIIGC8Y1R1,false,"19 characters, not 20"'
	assert_line --index 2 "5493001kJTIIGC8Y1R12,false,character 8 'k' is not 0-9 or A-Z"
	assert_line --index 3 "5493001KJTIIGC8Y1RX2,false,check digits 'X2' are not two digits"
	assert_line --index 4 "5493001KJTIIGC8Y1R13,false,\"check digits fail ISO 7064 MOD 97-10 (remainder 2, not 1)\""
	assert_line --index 5 ',false,empty'
	[[ "$stderr" == *"5 identifiers, 5 invalid"* ]]
}

@test "lei: stdin; missing column, malformed row exit 3 with file:line:col; /dev/full exit 4" {
	echo $'lei\n5493001KJTIIGC8Y1R12' | qe-screen lei - > out.csv
	grep -qx '5493001KJTIIGC8Y1R12,true,' out.csv
	printf 'id\nx\n' > nocol.csv
	run_split qe-screen lei nocol.csv
	assert_failure 3
	[[ "$stderr" == *"nocol.csv:1:1: missing required column 'lei'"* ]] || fail "$stderr"
	printf 'lei,x\n5493001KJTIIGC8Y1R12\n' > bad.csv
	run_split qe-screen lei -o out2.csv bad.csv
	assert_failure 3
	[[ "$stderr" == *"bad.csv:2:"* ]] || fail "$stderr"
	[ ! -e out2.csv ]
	run_split qe-screen lei -o /dev/full nocol.csv
	assert_failure 3
	echo $'lei\n5493001KJTIIGC8Y1R12' > ok.csv
	run_split qe-screen lei -o /dev/full ok.csv
	assert_failure 4
	run_split qe-screen lei --bogus
	assert_failure 2
}

# A crafted book for check: counterparties, limits, trades, valuations,
# VaR results, ladder and the Shariah tables, each rule tripped once and
# missed once just inside (a value exactly at a limit is inside).
crafted() {
	cat > cp.csv <<'CSV'
counterparty,name,lei,country,sector,credit_limit,currency,netting,total_assets,market_cap,debt,cash,receivables,revenue,nonpermissible_income,market_cap_24m,market_cap_36m
NETYES,Net Yes,5493001KJTIIGC8Y1R12,US,utilities,70,USD,yes,1000,100,30,30,10,100,5,100,100
NETNO,Net No,7LTWFZYICNSX8D621K86,US,utilities,70,USD,no,1000,100,30.000001,29,10,100,5.01,100,100
BREW,Brewery,HWUPKR0MPOU8FGXBT394,US,alcohol,1000,USD,yes,1000,100,1,1,1,100,0,100,100
BADLEI,Bad Lei,5493001KJTIIGC8Y1R13,DE,mining,1000,EUR,yes,1000,100,1,1,1,100,1,100,100
CSV
	cat > lim.csv <<'CSV'
limit_id,type,scope,key,metric,limit,unit
V1,var,book,INSIDE,var_99_1d,1000,USD
V2,var,book,OUTSIDE,var_99_1d,1000,USD
V3,var,book,EURBOOK,var_99_1d,1050,USD
P1,position,curve,NG_HH,net_delta,500,MMBtu
P2,position,curve,TTF,net_delta,500,MWh
C1,credit,counterparty,BADLEI,exposure,10,USD
T1,trader,trader,bob,max_trade_notional,5,USD
CSV
	cat > var.csv <<'CSV'
portfolio,method,alpha,horizon,scenarios,var,es,currency,asof
INSIDE,hs,0.99,1d,250,1000,1100,USD,2026-11-25
OUTSIDE,hs,0.99,1d,250,1000.0000001,1100,USD,2026-11-25
OUTSIDE,hs,0.975,1d,250,5000,6000,USD,2026-11-25
EURBOOK,hs,0.99,1d,250,1000.5,1100,EUR,2026-11-25
CSV
	printf 'currency,rate\nUSD,1\nEUR,1.05\n' > fx.csv
	cat > ladder.csv <<'CSV'
book,curve,month,delta,unit
A,NG_HH,2027-01,-300,MMBtu
B,NG_HH,2027-02,-200,MMBtu
A,TTF,2027-01,400,MWh
B,TTF,2027-03,100.5,MWh
CSV
	cat > trades.csv <<'CSV'
trade_id,version,status,book,trader,counterparty,instrument,curve,curve2
T1,1,new,A,bob,NETYES,swap,NG_HH,
T2,1,new,A,bob,NETYES,swap,NG_HH,
T3,1,new,A,bob,NETNO,swap,NG_HH,
T4,1,new,A,bob,NETNO,swap,NG_HH,
T5,1,new,ISL,ali,BREW,physical,NG_HH,
T6,1,new,ISL,ali,NETYES,future,NG_HH,
T7,1,new,ISL,ali,NETYES,forward,NG_HH,
T8,1,new,ISL,ali,NETYES,physical,NOPE,
T8,2,cancel,ISL,ali,NETYES,physical,NOPE,
T9,1,new,A,bob,BADLEI,future,TTF,NOPE2
T10,1,new,A,bob,BADLEI,future,TTF,
CSV
	cat > val.csv <<'CSV'
trade_id,book,instrument,curve,currency,npv
T1,A,swap,NG_HH,USD,100
T2,A,swap,NG_HH,USD,-30
T3,A,swap,NG_HH,USD,100
T4,A,swap,NG_HH,USD,-30
T9,A,future,TTF,EUR,10
T10,A,future,TTF,EUR,-0.5
CSV
	cp "$DATA/sharia_profiles.csv" "$DATA/sharia_instruments.csv" "$DATA/markets.csv" .
}

check_all() {
	qe-screen check --asof 2026-11-25 -c cp.csv -l lim.csv -t trades.csv --valuations val.csv \
		--var var.csv --ladder ladder.csv --fx fx.csv -m markets.csv --profiles sharia_profiles.csv \
		--instruments sharia_instruments.csv "$@"
}

# rows RULESET RULE: "entity_id severity" of the rows of that rule, sorted
rows() {
	"$PYORACLE" - "$1" "$2" <<'PY'
import csv, sys
for r in sorted(csv.DictReader(open("b.csv")), key=lambda r: r["entity_id"]):
    if r["rule_set"] == sys.argv[1] and r["rule"] == sys.argv[2]:
        print(r["entity_id"], r["severity"])
PY
}

@test "check limits: VaR over the limit trips, exactly at it does not; other alpha ignored; EUR VaR in USD" {
	crafted
	run_split check_all --rules limits -o b.csv
	assert_failure 1
	run rows limits var
	assert_output $'EURBOOK breach\nOUTSIDE breach'
	# 1000.5 EUR at 1.05 USD/EUR = 1050.525 USD against 1050
	"$PYORACLE" -c '
import csv
r = [r for r in csv.DictReader(open("b.csv")) if r["entity_id"] == "EURBOOK"][0]
assert abs(float(r["value"]) - 1000.5 * 1.05) < 1e-9, r
assert abs(float(r["utilisation"]) - 1000.5 * 1.05 / 1050) < 1e-12, r'
}

@test "check limits: credit exposure netted where netting=yes, gross otherwise, against credit_limit and limits.csv" {
	crafted
	run_split check_all --rules limits -o b.csv
	assert_failure 1
	# independent: exposures from the valuations and the master
	"$PYORACLE" - <<'PY'
import csv
cp = {r["counterparty"]: r for r in csv.DictReader(open("cp.csv"))}
tr = {r["trade_id"]: r["counterparty"] for r in csv.DictReader(open("trades.csv"))}
fx = {r["currency"]: float(r["rate"]) for r in csv.DictReader(open("fx.csv"))}
vals = {}
for v in csv.DictReader(open("val.csv")):
    c = tr[v["trade_id"]]
    vals.setdefault(c, []).append(float(v["npv"]) * fx[v["currency"]] / fx[cp[c]["currency"]])
want = {}
for c, v in vals.items():
    e = max(0.0, sum(v)) if cp[c]["netting"] == "yes" else sum(x for x in v if x > 0)
    if e > float(cp[c]["credit_limit"]):
        want[(c, float(cp[c]["credit_limit"]))] = e
lim = [r for r in csv.DictReader(open("lim.csv")) if r["type"] == "credit"]
for l in lim:
    c = l["key"]
    e = max(0.0, sum(vals[c])) if cp[c]["netting"] == "yes" else sum(x for x in vals[c] if x > 0)
    e *= fx[cp[c]["currency"]] / fx[l["unit"]]
    if e > float(l["limit"]):
        want[(c, float(l["limit"]))] = e
got = {(r["entity_id"], float(r["limit"])): float(r["value"])
       for r in csv.DictReader(open("b.csv")) if r["rule"] == "credit"}
assert set(got) == set(want), (got, want)
for k in want:
    assert abs(got[k] - want[k]) <= 1e-9 * max(1, want[k]), (k, got[k], want[k])
# NETYES nets 100 - 30 = 70, exactly its limit: inside
assert not any(k[0] == "NETYES" for k in got)
assert ("NETNO", 70.0) in got
PY
}

@test "check limits: net delta across books and months, short or long; at the limit is inside" {
	crafted
	run_split check_all --rules limits -o b.csv
	run rows limits position
	assert_output 'TTF breach'
	grep -q 'net delta of TTF is long 500' b.csv
	run rows limits unchecked
	assert_output 'bob info'
}

@test "check sharia: AAOIFI ratios at 30%/5% inside, just above outside; sector; purification; Islamic instruments" {
	crafted
	run_split check_all --rules sharia --islamic-books ISL -o b.csv
	assert_failure 1
	# only the counterparties of book ISL's live trades: BREW and NETYES
	# (NETNO trades in book A only); NETYES's debt and cash are exactly
	# 30% of market cap and its income exactly 5% of revenue: inside
	run rows sharia debt
	assert_output ''
	run rows sharia cash
	assert_output ''
	run rows sharia income
	assert_output ''
	run rows sharia sector
	assert_output 'BREW breach'
	run rows sharia purification
	assert_output 'NETYES info'
	# trades of book ISL only: T6 future (breach), T7 forward (warning),
	# T5 physical allowed, T8 cancelled, book A's futures not screened
	run rows sharia instrument
	assert_output $'T6 breach\nT7 warning'
	"$PYORACLE" -c '
import csv
r = [r for r in csv.DictReader(open("b.csv")) if r["rule"] == "purification"][0]
assert abs(float(r["value"]) - 5 / 100) < 1e-15, r'
}

@test "check sharia: every counterparty without Islamic books; profiles DJIM and MSCI move the thresholds" {
	crafted
	check_all --rules sharia -q -o b.csv || true
	run rows sharia debt
	assert_output 'NETNO breach'
	run rows sharia income
	assert_output 'NETNO breach'
	run rows sharia purification
	assert_output $'BADLEI info\nNETYES info'
	check_all --rules sharia --profile DJIM -q -o b.csv || true
	run rows sharia debt
	assert_output ''
	run rows sharia sector
	assert_output 'BREW breach'
	check_all --rules sharia --profile MSCI -q -o b.csv || true
	run rows sharia debt
	assert_output ''
	run_split check_all --rules sharia --profile NOPE -o b.csv
	assert_failure 3
	[[ "$stderr" == *"no profile 'NOPE'"* ]]
}

@test "check regulatory and quality: invalid LEI; live trades on unknown curves (cancelled ones not)" {
	crafted
	run_split check_all --rules regulatory,quality -o b.csv
	assert_failure 1
	run rows regulatory lei
	assert_output 'BADLEI breach'
	run rows quality lei
	assert_output 'BADLEI warning'
	run rows quality unknown_curve
	assert_output 'T9 breach'
	grep -q "trades.csv:11: trade T9 is on curve 'NOPE2'" b.csv
}

@test "check: --fail-on gates, summary on stderr, header of BREACHES" {
	crafted
	run_split check_all --rules quality,regulatory --fail-on breach -o b.csv
	assert_failure 1
	sed -i 's/^T9,1,new,A,bob,BADLEI,future,TTF,NOPE2$/T9,1,new,A,bob,BADLEI,future,TTF,/' trades.csv
	run_split check_all --rules quality -o b.csv
	assert_success
	[[ "$stderr" == *"0 breach, 1 warning, 0 info; 0 at or above breach"* ]] || fail "$stderr"
	run_split check_all --rules quality --fail-on warning -o b.csv
	assert_failure 1
	[ "$(head -1 b.csv)" = "asof,rule_set,rule,severity,entity_type,entity_id,value,limit,utilisation,message" ]
	run_split check_all --rules quality --fail-on info -q -o b.csv
	assert_failure 1
	[ -z "$stderr" ]
}

@test "check: bad inputs exit 3 with file:line:col and no output; usage exit 2; /dev/full exit 4" {
	crafted
	sed -i 's/^V2,var,book,OUTSIDE,var_99_1d,1000,USD$/V2,var,book,OUTSIDE,var_99_1d,1e400,USD/' lim.csv
	run_split check_all --rules limits -o b.csv
	assert_failure 3
	[[ "$stderr" == *"lim.csv:3:6: column 'limit': not a finite number '1e400'"* ]] || fail "$stderr"
	[ ! -e b.csv ]
	crafted
	sed -i 's/^T9,A,future,TTF,EUR,10$/T9,A,future,TTF,EUR,nan/' val.csv
	run_split check_all --rules limits -o b.csv
	assert_failure 3
	[[ "$stderr" == *"val.csv:6:"*"column 'npv'"* ]] || fail "$stderr"
	crafted
	echo 'X9,A,future,TTF,EUR,1' >> val.csv
	run_split check_all --rules limits -o b.csv
	assert_failure 3
	[[ "$stderr" == *"val.csv:8:1: column 'trade_id': trade 'X9' is not a live trade"* ]] || fail "$stderr"
	crafted
	cut -d, -f1-12 cp.csv > cp2.csv; mv cp2.csv cp.csv
	run_split check_all --rules regulatory -o b.csv
	assert_failure 3
	[[ "$stderr" == *"cp.csv:1:1: missing required column 'receivables'"* ]] || fail "$stderr"
	crafted
	: > empty.csv
	run_split check_all --rules regulatory -c empty.csv -o b.csv
	assert_failure 3
	crafted
	run_split check_all --rules limits --fx /dev/null -o b.csv
	assert_failure 3
	run_split check_all --rules bogus
	assert_failure 2
	run_split check_all -o b.csv
	assert_failure 2
	run_split qe-screen check --rules quality --asof 2026-11-25 -c cp.csv
	assert_failure 2
	run_split qe-screen check --rules regulatory --asof 2026-13-01 -c cp.csv
	assert_failure 2
	run_split check_all --rules regulatory -o /dev/full
	assert_failure 4
	[ ! -e b.csv ]
}

@test "check: the bundled data breaches every rule set on purpose" {
	qe-price --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		-o val.csv --ladder ladder.csv --sensitivities sens.csv -q
	qe-var hs -H "$DATA/history.csv" -m "$DATA/markets.csv" -s sens.csv -a 0.99 --by book -q -o var.csv
	run_split qe-screen check --rules limits,sharia,regulatory,quality --asof 2026-11-25 \
		-c "$DATA/counterparties.csv" -l "$DATA/limits.csv" -t "$DATA/trades.csv" --valuations val.csv \
		--var var.csv --ladder ladder.csv --fx "$DATA/fx.csv" -m "$DATA/markets.csv" \
		--profiles "$DATA/sharia_profiles.csv" --instruments "$DATA/sharia_instruments.csv" \
		--islamic-books ISLAMIC -o b.csv
	assert_failure 1
	for set in limits sharia regulatory quality; do
		grep -Eq "^2026-11-25,$set,[a-z_]+,(breach|warning)," b.csv || fail "no $set finding"
	done
	# the LEIs data/README.md says are invalid on purpose
	run rows regulatory lei
	assert_output $'CP008 breach\nCP020 breach\nCP034 breach'
	# the trades, read once for the four rule sets (spot-month limits too),
	# give each set's rows of a run of its own
	args=(--asof 2026-11-25 -q -c "$DATA/counterparties.csv" -l "$DATA/limits.csv" -t "$DATA/trades.csv"
		--valuations val.csv --var var.csv --ladder ladder.csv --fx "$DATA/fx.csv" -m "$DATA/markets.csv"
		--profiles "$DATA/sharia_profiles.csv" --instruments "$DATA/sharia_instruments.csv"
		--islamic-books ISLAMIC --spot-limits "$DATA/spot_month_limits.csv" --calendars "$DATA/calendars")
	run qe-screen check --rules limits,sharia,regulatory,quality "${args[@]}" -o all.csv
	head -1 all.csv > each.csv
	for set in limits sharia regulatory quality; do
		run qe-screen check --rules $set "${args[@]}" -o one.csv
		tail -n +2 one.csv >> each.csv
	done
	[ "$(wc -l < all.csv)" -gt 10 ]
	cmp all.csv each.csv
}

# spot_dates: python's last trading days (CME rules on the NYMEX holiday
# file) of NG Jan-2027 (3rd last business day of December) and CL
# Jan-2027 (3 business days before the 25th of December, 4 when the 25th
# is not a business day), each with the 3 business days before it:
# "NG d3 d2 d1 ltd" and "CL d3 d2 d1 ltd"
spot_dates() {
	"$PYORACLE" - "$DATA/calendars/NYMEX.txt" <<'PY'
import sys, datetime as dt
hol = set()
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        hol.add(dt.date.fromisoformat(line))
bd = lambda d: d.weekday() < 5 and d not in hol
def back(d, n):
    while n:
        d -= dt.timedelta(1)
        n -= bd(d)
    return d
ng = back(dt.date(2027, 1, 1), 3)
d25 = dt.date(2026, 12, 25)
cl = back(d25, 3 if bd(d25) else 4)
for name, ltd in (("NG", ng), ("CL", cl)):
    print(name, back(ltd, 3), back(ltd, 2), back(ltd, 1), ltd)
PY
}

spot_book() {
	cp -r "$DATA/calendars" "$DATA/markets.csv" "$DATA/spot_month_limits.csv" .
	printf '%s\n' 'counterparty,name,lei,country,sector,credit_limit,currency,netting,total_assets,market_cap,debt,cash,receivables,revenue,nonpermissible_income' \
		'CME,CME,5493001KJTIIGC8Y1R12,US,clearing,1,USD,yes,1,1,0,0,0,1,0' > cp.csv
	cat > trades.csv <<'CSV'
trade_id,version,status,book,counterparty,instrument,curve,side,quantity,unit,delivery_start,delivery_end
N1,1,new,A,CME,future,NG_HH,buy,1600,lots,2027-01-01,2027-01-31
N2,1,new,B,CME,swap,NG_HH,buy,5000000,MMBtu,2027-01-01,2027-01-31
N3,1,new,B,CME,swap,NG_HH,sell,100000,MMBtu/d,2027-01-01,2027-01-10
N4,1,new,A,CME,future,NG_HH,buy,9000,lots,2027-02-01,2027-02-28
N5,1,new,A,CME,option,NG_HH,buy,9000,lots,2027-01-01,2027-01-31
N6,1,new,A,CME,future,NG_HH,buy,9000,lots,2027-01-01,2027-01-31
N6,2,cancel,A,CME,future,NG_HH,buy,9000,lots,2027-01-01,2027-01-31
C1,1,new,A,CME,future,CL_WTI,buy,4000,lots,2027-01-01,2027-01-31
C2,1,new,B,CME,swap,CL_WTI,buy,500000,bbl,2027-01-01,2027-01-31
C3,1,new,B,CME,future,CL_WTI,sell,1,lots,2027-01-01,2027-01-31
CSV
}

spot_check() {
	qe-screen check --rules regulatory --asof "$1" -c cp.csv -t trades.csv -m markets.csv \
		--calendars calendars --spot-limits spot_month_limits.csv -q -o b.csv
}

@test "check regulatory: NG spot month nets futures and swaps across books at 2000 lots; at the limit inside" {
	spot_book
	read -r _ ng3 ng2 ng1 ngltd < <(spot_dates | grep '^NG')
	# 1600 + 5,000,000/10,000 - 10 days x 100,000/10,000 = 2000 lots
	for d in "$ng2" "$ng1" "$ngltd"; do
		spot_check "$d"
		run rows regulatory spot_month
		assert_output ''
	done
	sed -i 's/^N1,1,new,A,CME,future,NG_HH,buy,1600,/N1,1,new,A,CME,future,NG_HH,buy,1600.5,/' trades.csv
	run spot_check "$ng2"
	assert_failure 1
	run rows regulatory spot_month
	assert_output 'NG_HH:2027-01 breach'
	grep -q '2000.5,2000,1.00025,' b.csv
	# three business days before the last trade: not the spot period yet
	spot_check "$ng3"
	run rows regulatory spot_month
	assert_output ''
}

@test "check regulatory: CL spot month steps down 6000, 5000, 4000 over the last three trading days" {
	spot_book
	read -r _ cl3 cl2 cl1 clltd < <(spot_dates | grep '^CL')
	# 4000 + 500 - 1 = 4499 lots: inside 6000 and 5000, above 4000
	for d in "$cl3" "$cl2" "$cl1"; do
		spot_check "$d"
		run rows regulatory spot_month
		assert_output ''
	done
	run spot_check "$clltd"
	assert_failure 1
	run rows regulatory spot_month
	assert_output 'CL_WTI:2027-01 breach'
	grep -q ',4499,4000,' b.csv
	sed -i 's/^C1,1,new,A,CME,future,CL_WTI,buy,4000,/C1,1,new,A,CME,future,CL_WTI,buy,4502,/' trades.csv
	run spot_check "$cl1"
	assert_failure 1
	grep -q ',5001,5000,' b.csv
}

# --- issue 14: trader mandates, unsettled credit, position levels,
# reporting fields, whatif.  Expected rows computed by python here.

mandate_book() {
	cp "$DATA/markets.csv" .
	printf 'currency,rate\nUSD,1\nEUR,1.05\n' > fx.csv
	cat > mand.csv <<'CSV'
trader,commodities,instruments,max_tenor_months,max_notional,currency,books
ann,gas,future;swap;option,12,1000000,USD,G1;G2
bob,*,*,,,USD,*
eve,power;TTF,forward,11,298000,EUR,P1
CSV
	cat > trades.csv <<'CSV'
trade_id,version,status,book,trader,counterparty,instrument,curve,curve2,side,quantity,unit,price,currency,delivery_start,delivery_end,shape,strike
A1,1,new,G1,ann,C,future,NG_HH,,buy,10,lots,5,USD,2027-11-01,2027-11-30,,
A2,1,new,G2,ann,C,future,NG_HH,,buy,20,lots,5,USD,2027-12-01,2027-12-31,,
A3,1,new,G3,ann,C,asian,NG_HH,,buy,1,lots,0.3,USD,2027-01-01,2027-01-31,,
A4,1,new,G1,ann,C,swap,CL_WTI,,buy,1000,bbl,70,USD,2027-01-01,2027-01-31,,
A5,1,new,G1,ann,C,future,NG_HH,,sell,20.0001,lots,5,USD,2027-01-01,2027-01-31,,
A6,1,new,G1,ann,C,swap,NG_HH,PJM_WH_PEAK,buy,10000,MMBtu,0.5,USD,2027-01-01,2027-01-31,,
A7,1,new,G1,ann,C,option,NG_HH,,buy,25,lots,0.3,USD,2027-01-01,2027-01-31,,4.0001
A8,1,new,G1,ann,C,option,NG_HH,,buy,25,lots,0.3,USD,2027-01-01,2027-01-31,,4
B1,1,new,ANY,bob,C,spread,BRENT,CL_WTI,buy,1000000,bbl,99,USD,2031-01-01,2031-01-31,,
E1,1,new,P1,eve,C,forward,DE_BASE,,buy,1,MW,100,EUR,2027-03-01,2027-03-31,,
E2,1,new,P1,eve,C,forward,TTF,,buy,10,MW,40,EUR,2027-10-01,2027-10-31,,
E3,1,new,P1,eve,C,forward,TTF,,buy,10,MW,40.0001,EUR,2027-10-01,2027-10-31,,
E4,1,new,P1,eve,C,forward,DE_BASE,,buy,1,MW,100,USD,2027-10-01,2027-11-01,,
X1,1,new,G1,zed,C,future,NG_HH,,buy,1,lots,5,USD,2027-01-01,2027-01-31,,
X2,1,new,G1,zed,C,future,NG_HH,,buy,1,lots,5,USD,2027-01-01,2027-01-31,,
X2,2,cancel,G1,zed,C,future,NG_HH,,buy,1,lots,5,USD,2027-01-01,2027-01-31,,
CSV
}

mandate_check() {
	qe-screen check --rules limits --asof 2026-11-25 -l "$DATA/limits.csv" -t trades.csv -m markets.csv \
		--fx fx.csv --mandates mand.csv "$@"
}

# the mandate rows "rule trade value limit" expected by python: lists,
# tenor in months from the as-of month, notional = |quantity in curve
# units| x strike (options) or price, MW by the hours of the shape in
# the curve's zone (base: midnight to midnight; gasday: 06:00 to 06:00)
mandate_oracle() {
	"$PYORACLE" - <<'PY'
import csv, datetime as dt
from zoneinfo import ZoneInfo
mk = {r["curve"]: r for r in csv.DictReader(open("markets.csv"))}
fx = {r["currency"]: float(r["rate"]) for r in csv.DictReader(open("fx.csv"))}
ma = {r["trader"]: r for r in csv.DictReader(open("mand.csv"))}
rows = list(csv.DictReader(open("trades.csv")))
live = {}
for r in rows:
    if r["trade_id"] not in live or int(r["version"]) >= int(live[r["trade_id"]]["version"]):
        live[r["trade_id"]] = r
asof = dt.date(2026, 11, 25)
ok = lambda lst, x: lst == "*" or x in lst.split(";")
def hours(curve, a, b):
    z = ZoneInfo(mk[curve]["timezone"]); h0 = 6 if mk[curve]["shape"] == "gasday" else 0
    t0 = dt.datetime(a.year, a.month, a.day, h0, tzinfo=z)
    e = b + dt.timedelta(1)
    t1 = dt.datetime(e.year, e.month, e.day, h0, tzinfo=z)
    return (t1.timestamp() - t0.timestamp()) / 3600
out = []
for r in live.values():
    if r["status"] == "cancel":
        continue
    t, tid = r["trader"], r["trade_id"]
    if t not in ma:
        out.append(("mandate_trader", tid, "", "")); continue
    m = ma[t]
    for c in (r["curve"], r["curve2"]):
        if c and not (ok(m["commodities"], c) or mk[c]["commodity"] in m["commodities"].split(";")):
            out.append(("mandate_commodity", tid, "", ""))
    if not ok(m["instruments"], r["instrument"]): out.append(("mandate_instrument", tid, "", ""))
    if not ok(m["books"], r["book"]): out.append(("mandate_book", tid, "", ""))
    a, b = dt.date.fromisoformat(r["delivery_start"]), dt.date.fromisoformat(r["delivery_end"])
    if m["max_tenor_months"]:
        months = (b.year - asof.year) * 12 + b.month - asof.month
        if months > float(m["max_tenor_months"]): out.append(("mandate_tenor", tid, months, m["max_tenor_months"]))
    if m["max_notional"]:
        q, u, c = float(r["quantity"]), r["unit"], r["curve"]
        q = q * float(mk[c]["lot_size"]) if u == "lots" else q * hours(c, a, b) if u == "MW" else q
        p = float(r["strike"]) if r["instrument"] == "option" and r["strike"] else float(r["price"])
        n = abs(q * p) * fx[r["currency"]] / fx[m["currency"]]
        if n > float(m["max_notional"]): out.append(("mandate_notional", tid, n, m["max_notional"]))
for o in sorted(out, key=lambda o: (o[1], o[0])):
    print(*o)
PY
}

# the same from b.csv: the trade is the word after "trade" in the message
mandate_got() {
	"$PYORACLE" - <<'PY'
import csv
out = []
for r in csv.DictReader(open("b.csv")):
    if r["rule"].startswith("mandate_"):
        tid = r["message"].split()[1]
        out.append((r["rule"], tid, r["value"], r["limit"]))
for o in sorted(out, key=lambda o: (o[1], o[0])):
    print(*o)
PY
}

@test "check limits: mandates - one row per violated clause; tenor and notional at the limit inside" {
	mandate_book
	run_split mandate_check -o b.csv
	assert_failure 1
	# compare rules and trades exactly, values to 1e-9 relative
	"$PYORACLE" - <(mandate_oracle) <(mandate_got) <<'PY'
import sys
want = [l.split() for l in open(sys.argv[1])]
got = [l.split() for l in open(sys.argv[2])]
assert [w[:2] for w in want] == [g[:2] for g in got], (want, got)
for w, g in zip(want, got):
    for x, y in zip(w[2:], g[2:]):
        assert abs(float(x) - float(y)) <= 1e-9 * max(1, abs(float(x))), (w, g)
PY
	# the crafted boundaries: A1 12 months and A2 1,000,000 exactly,
	# A8 25 lots x 10,000 x strike 4 = 1,000,000, E2 10 MW x 745 h x 40
	# = 298,000 EUR (October 2027 has 745 hours in Amsterdam): inside
	run mandate_got
	for t in A1 A8 E1 E2 B1; do
		[[ "$output" != *" $t "* ]] || fail "$t should be inside: $output"
	done
	[[ "$output" == *"mandate_tenor A2 13 12"* ]] || fail "$output"
	[[ "$output" == *"mandate_notional A7 "* ]] || fail "$output"
	[[ "$output" == *"mandate_notional E3 "* ]] || fail "$output"
	[[ "$output" == *"mandate_commodity A6 "* ]] || fail "$output"
	[[ "$output" == *"mandate_trader X1 "* && "$output" != *" X2 "* ]] || fail "$output"
	grep -q '^2026-11-25,limits,mandate_book,breach,trader,ann,,,,' b.csv
}

@test "check limits: mandates need the trader; bad mandate numbers exit 3 at file:line:col" {
	mandate_book
	cut -d, -f1-4,6- trades.csv > t2.csv && mv t2.csv trades.csv
	run_split mandate_check -o b.csv
	assert_failure 3
	[[ "$stderr" == *"trades.csv:2:1: column 'trader': empty: mandates need the trader of every trade"* ]] || fail "$stderr"
	[ ! -e b.csv ]
	mandate_book
	sed -i 's/^ann,gas,future;swap;option,12,/ann,gas,future;swap;option,twelve,/' mand.csv
	run_split mandate_check -o b.csv
	assert_failure 3
	[[ "$stderr" == *"mand.csv:2:4: column 'max_tenor_months': not a finite number 'twelve'"* ]] || fail "$stderr"
	mandate_book
	echo 'ann,gas,future,1,1,USD,G1' >> mand.csv
	run_split mandate_check -o b.csv
	assert_failure 3
	[[ "$stderr" == *"mand.csv:5:1: column 'trader': trader 'ann' listed twice"* ]] || fail "$stderr"
	run_split qe-screen check --rules limits --asof 2026-11-25 -l "$DATA/limits.csv" -t trades.csv --mandates mand.csv
	assert_failure 2
}

credit_book() {
	cat > cp.csv <<'CSV'
counterparty,name,lei,country,sector,credit_limit,currency,netting,total_assets,market_cap,debt,cash,receivables,revenue,nonpermissible_income
NY,Net Yes,5493001KJTIIGC8Y1R12,US,utilities,100,USD,yes,1,1,0,0,0,1,0
NN,Net No,7LTWFZYICNSX8D621K86,US,utilities,100,USD,no,1,1,0,0,0,1,0
NE,Net Eur,HWUPKR0MPOU8FGXBT394,DE,utilities,100,EUR,yes,1,1,0,0,0,1,0
CSV
	printf 'limit_id,type,scope,key,metric,limit,unit\n' > lim.csv
	printf 'currency,rate\nUSD,1\nEUR,1.05\n' > fx.csv
	cat > trades.csv <<'CSV'
trade_id,version,status,book,counterparty,instrument,curve
T1,1,new,A,NY,swap,NG_HH
T2,1,new,A,NY,swap,NG_HH
T3,1,new,A,NN,swap,NG_HH
T4,1,new,A,NN,swap,NG_HH
T5,1,new,A,NE,swap,TTF
CSV
	cat > val.csv <<'CSV'
trade_id,currency,npv
T1,USD,80
T2,USD,-30
T3,USD,80
T4,USD,-30
T5,EUR,0
CSV
	# value dates on or before the as-of date are settled: not counted
	cat > flows.csv <<'CSV'
trade_id,counterparty,kind,direction,value_date,currency,amount_minor
T1,NY,swap,receive,2026-11-26,USD,7000
T2,NY,swap,pay,2026-11-27,USD,2000
T1,NY,swap,receive,2026-11-25,USD,100000
T3,NN,swap,receive,2026-12-01,USD,1500
T4,NN,swap,pay,2026-12-01,USD,5000
T5,NE,swap,receive,2026-12-02,USD,21000
T5,NE,swap,pay,2026-11-20,EUR,99999
CSV
	cp "$DATA/currencies.csv" .
}

credit_run() {
	qe-screen check --rules limits --asof 2026-11-25 -c cp.csv -l lim.csv -t trades.csv --valuations val.csv \
		--fx fx.csv --flows flows.csv --currencies currencies.csv -q -o b.csv "$@"
}

# python: exposure = max(0, MTM + receivables - payables) with netting,
# positive MTM + receivables without; flows after the as-of date only
credit_oracle() {
	"$PYORACLE" - <<'PY'
import csv
cp = {r["counterparty"]: r for r in csv.DictReader(open("cp.csv"))}
tr = {r["trade_id"]: r["counterparty"] for r in csv.DictReader(open("trades.csv"))}
fx = {r["currency"]: float(r["rate"]) for r in csv.DictReader(open("fx.csv"))}
ex = {r["currency"]: int(r["exponent"]) for r in csv.DictReader(open("currencies.csv"))}
conv = lambda x, a, b: x * fx[a] / fx[b]
mtm = {c: [] for c in cp}
for v in csv.DictReader(open("val.csv")):
    c = tr[v["trade_id"]]
    mtm[c].append(conv(float(v["npv"]), v["currency"], cp[c]["currency"]))
rec = {c: 0.0 for c in cp}; pay = {c: 0.0 for c in cp}
for f in csv.DictReader(open("flows.csv")):
    if f["value_date"] <= "2026-11-25":
        continue
    c = f["counterparty"]
    x = conv(int(f["amount_minor"]) / 10 ** ex[f["currency"]], f["currency"], cp[c]["currency"])
    (rec if f["direction"] == "receive" else pay)[c] += x
got = {r["entity_id"]: float(r["value"]) for r in csv.DictReader(open("b.csv")) if r["rule"] == "credit"}
want = {}
for c, r in cp.items():
    if r["netting"] == "yes":
        e = max(0.0, sum(mtm[c]) + rec[c] - pay[c])
    else:
        e = sum(x for x in mtm[c] if x > 0) + rec[c]
    if e > float(r["credit_limit"]):
        want[c] = e
assert set(got) == set(want), (got, want)
for c in want:
    assert abs(got[c] - want[c]) <= 1e-9 * want[c], (c, got[c], want[c])
print(" ".join(sorted(want)))
PY
}

@test "check limits: credit exposure adds unsettled receivables, nets payables only under netting; at the limit inside" {
	credit_book
	# NY 50 + 70 - 20 = 100 and NN 80 + 15 = 95: inside; NE 210 USD = 200 EUR
	run credit_run
	assert_failure 1
	run credit_oracle
	assert_output 'NE'
	grep -q 'credit exposure of NE is 200 EUR, 200.0% of its limit 100' b.csv
	grep -q ',NE,200,100,2,' b.csv
	sed -i 's/^T2,NY,swap,pay,2026-11-27,USD,2000$/T2,NY,swap,pay,2026-11-27,USD,1999/' flows.csv
	sed -i 's/^T3,NN,swap,receive,2026-12-01,USD,1500$/T3,NN,swap,receive,2026-12-01,USD,2001/' flows.csv
	run credit_run
	assert_failure 1
	run credit_oracle
	assert_output 'NE NN NY'
}

@test "check limits: bad flows exit 3 at file:line:col; flows need currencies and valuations (exit 2)" {
	credit_book
	sed -i 's/^T4,NN,swap,pay,/T4,NN,swap,both,/' flows.csv
	run_split credit_run
	assert_failure 3
	[[ "$stderr" == *"flows.csv:6:4: column 'direction': direction is pay or receive, not 'both'"* ]] || fail "$stderr"
	[ ! -e b.csv ]
	credit_book
	echo 'T9,XX,swap,pay,2026-12-01,USD,1' >> flows.csv
	run_split credit_run
	assert_failure 3
	[[ "$stderr" == *"flows.csv:9:2: column 'counterparty': counterparty 'XX' is not in cp.csv"* ]] || fail "$stderr"
	credit_book
	echo 'T9,NY,swap,pay,2026-12-01,XAU,1' >> flows.csv
	run_split credit_run
	assert_failure 3
	[[ "$stderr" == *"flows.csv:9:6: column 'currency': currency 'XAU' is not in currencies.csv"* ]] || fail "$stderr"
	credit_book
	run_split qe-screen check --rules limits --asof 2026-11-25 -c cp.csv -l lim.csv -t trades.csv \
		--valuations val.csv --flows flows.csv
	assert_failure 2
	run_split qe-screen check --rules limits --asof 2026-11-25 -c cp.csv -l lim.csv -t trades.csv \
		--flows flows.csv --currencies currencies.csv --mandates "$DATA/trader_mandates.csv" -m "$DATA/markets.csv"
	assert_failure 2
}

clean_cp() {
	printf '%s\n' 'counterparty,name,lei,country,sector,credit_limit,currency,netting,total_assets,market_cap,debt,cash,receivables,revenue,nonpermissible_income' \
		'C,C,5493001KJTIIGC8Y1R12,US,utilities,1,USD,yes,1,1,0,0,0,1,0' > cp.csv
}

levels_book() {
	clean_cp
	cp -r "$DATA/calendars" "$DATA/markets.csv" .
	cat > levels.csv <<'CSV'
curve,kind,level,unit,instruments,source
NG_HH,accountability_single,100,lots,future;swap,test table
NG_HH,accountability_all,250,lots,future;swap,test table
NG_HH,reportable,50,lots,future,test table
TTF,eu_spot_month,1000,MWh,future;swap,test table
TTF,eu_other_months,2000,MWh,future;swap,test table
CSV
	cat > trades.csv <<'CSV'
trade_id,version,status,book,counterparty,instrument,curve,side,quantity,unit,delivery_start,delivery_end
N1,1,new,A,C,future,NG_HH,buy,100,lots,2027-02-01,2027-02-28
N2,1,new,B,C,swap,NG_HH,buy,300000,MMBtu,2027-03-01,2027-04-30
N3,1,new,A,C,future,NG_HH,buy,100,lots,2027-05-01,2027-05-31
N4,1,new,B,C,future,NG_HH,sell,50,lots,2027-06-01,2027-06-30
N5,1,new,A,C,option,NG_HH,buy,9999,lots,2027-06-01,2027-06-30
N6,1,new,A,C,future,NG_HH,buy,49.99,lots,2027-07-01,2027-07-31
N7,1,new,A,C,future,NG_HH,buy,0.01,lots,2027-08-01,2027-08-31
F1,1,new,A,C,future,TTF,buy,1000,MWh,2026-12-01,2026-12-31
F2,1,new,B,C,swap,TTF,buy,2500,MWh,2027-01-01,2027-01-31
F3,1,new,A,C,future,TTF,sell,500,MWh,2027-02-01,2027-02-28
CSV
}

levels_run() {
	qe-screen check --rules regulatory --asof 2026-11-25 -c cp.csv -t trades.csv \
		-m markets.csv --calendars calendars --levels levels.csv -q -o b.csv
}

# python: net per contract month (a strip by its days in each month),
# single-month above, all months above, reportable at or above, EU spot
# month (December 2026 on 25 November) and the other months together
levels_oracle() {
	"$PYORACLE" - <<'PY'
import csv, datetime as dt
lot = {"NG_HH": 10000, "TTF": 1}
unit = {"NG_HH": "MMBtu", "TTF": "MWh"}
tr = list(csv.DictReader(open("trades.csv")))
want = []
for L in csv.DictReader(open("levels.csv")):
    c, kind, level = L["curve"], L["kind"], float(L["level"])
    net = {}
    for t in tr:
        if t["curve"] != c or t["instrument"] not in L["instruments"].split(";"):
            continue
        q = float(t["quantity"]) * (1 if t["side"] == "buy" else -1)
        if L["unit"] == "lots" and t["unit"] != "lots": q /= lot[c]
        if L["unit"] != "lots" and t["unit"] == "lots": q *= lot[c]
        a, b = dt.date.fromisoformat(t["delivery_start"]), dt.date.fromisoformat(t["delivery_end"])
        days = {}
        d = a
        while d <= b:
            days[d.strftime("%Y-%m")] = days.get(d.strftime("%Y-%m"), 0) + 1
            d += dt.timedelta(1)
        for k, n in days.items():
            net[k] = net.get(k, 0) + q * n / ((b - a).days + 1)
    spot = "2026-12"
    if kind == "accountability_single":
        want += [("accountability_single", f"{c}:{k}", abs(x)) for k, x in net.items() if abs(x) > level]
    if kind == "reportable":
        want += [("reportable", f"{c}:{k}", abs(x)) for k, x in net.items() if abs(x) >= level]
    if kind == "eu_spot_month" and abs(net.get(spot, 0)) > level:
        want.append(("eu_spot_month", f"{c}:{spot}", abs(net[spot])))
    if kind in ("accountability_all", "eu_other_months"):
        s = sum(x for k, x in net.items() if kind == "accountability_all" or k != spot)
        if abs(s) > level:
            want.append((kind, c, abs(s)))
got = [(r["rule"], r["entity_id"], float(r["value"])) for r in csv.DictReader(open("b.csv"))
       if r["rule"] in ("accountability_single", "accountability_all", "reportable", "eu_spot_month", "eu_other_months")]
want.sort(); got.sort()
assert [w[:2] for w in want] == [g[:2] for g in got], (want, got)
for w, g in zip(want, got):
    assert abs(w[2] - g[2]) <= 1e-9 * max(1, w[2]), (w, g)
for w in want:
    print(w[0], w[1])
PY
}

@test "check regulatory: accountability (above), reportable (at or above), EU spot and other months; strips split by days" {
	levels_book
	# all months 100 + 30 + 100 - 50 + 49.99 + 0.01 = 230 and Feb 100
	# inside; reportable: Feb, May at 100, Jun at 50 (not Jul 49.99); TTF
	# spot month 1000 and other months 2500 - 500 = 2000 inside
	run levels_run
	assert_success
	run levels_oracle
	assert_output $'reportable NG_HH:2027-02\nreportable NG_HH:2027-05\nreportable NG_HH:2027-06'
	grep -q ',reportable,info,curve,NG_HH:2027-06,50,50,1,' b.csv
	sed -i -e 's/^N3,1,new,A,C,future,NG_HH,buy,100,/N3,1,new,A,C,future,NG_HH,buy,120.01,/' \
		-e 's/^F1,1,new,A,C,future,TTF,buy,1000,/F1,1,new,A,C,future,TTF,buy,1000.5,/' \
		-e 's/^F3,1,new,A,C,future,TTF,sell,500,/F3,1,new,A,C,future,TTF,sell,499,/' trades.csv
	run levels_run
	assert_failure 1
	run levels_oracle
	assert_output $'accountability_all NG_HH\naccountability_single NG_HH:2027-05\neu_other_months TTF\neu_spot_month TTF:2026-12\nreportable NG_HH:2027-02\nreportable NG_HH:2027-05\nreportable NG_HH:2027-06'
	grep -q 'regulatory,accountability_single,warning,curve,NG_HH:2027-05,120.01,100,' b.csv
	grep -q 'regulatory,eu_other_months,breach,curve,TTF,2001,2000,' b.csv
}

@test "check regulatory: bad level rows exit 3 at file:line:col" {
	levels_book
	sed -i 's/^NG_HH,reportable,50,lots/NG_HH,reportible,50,lots/' levels.csv
	run_split levels_run
	assert_failure 3
	[[ "$stderr" == *"levels.csv:4:2: column 'kind': kind is accountability_single"* ]] || fail "$stderr"
	levels_book
	sed -i 's/^TTF,eu_spot_month,1000,MWh/TTF,eu_spot_month,1000,MMBtu/' levels.csv
	run_split levels_run
	assert_failure 3
	[[ "$stderr" == *"levels.csv:5:4: column 'unit': unit is lots or MWh (the unit of TTF), not 'MMBtu'"* ]] || fail "$stderr"
	levels_book
	sed -i 's/^TTF,eu_spot_month,1000,/TTF,eu_spot_month,0,/' levels.csv
	run_split levels_run
	assert_failure 3
	[[ "$stderr" == *"levels.csv:5:3: column 'level': a level is positive, not '0'"* ]] || fail "$stderr"
}

report_book() {
	cp "$DATA/counterparties.csv" .
	L=5493001KJTIIGC8Y1R12
	cat > trades.csv <<CSV
trade_id,version,status,book,counterparty,instrument,curve,uti,venue,exec_time
R1,1,new,A,CP001,future,NG_HH,${L}R1,XNYM,2026-11-25T14:03:07.25-05:00
R2,1,new,A,CP001,swap,NG_HH,${L}$(printf '%032d' 2),XOFF,2026-11-25T19:03:07Z
R3,1,new,A,CP001,swap,NG_HH,${L}$(printf '%033d' 3),XOFF,2026-11-25T19:03:07Z
R4,1,new,A,CP008,swap,NG_HH,5493001KJTIIGC8Y1R13R4,xoff,2026-11-25T19:03:07
R5,1,new,A,CP001,swap,NG_HH,,,
CSV
}

@test "check regulatory: reporting fields - UTI up to 52 with an LEI prefix, both LEIs, MIC, timestamp with offset" {
	report_book
	run_split qe-screen check --rules regulatory --asof 2026-11-25 -c counterparties.csv -t trades.csv \
		--reporting-lei 5493001KJTIIGC8Y1R12 -q -o b.csv
	assert_failure 1
	"$PYORACLE" - <<'PY'
import csv, re
lei_ok = lambda s: bool(re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", s)) and int("".join(str(int(c, 36)) for c in s)) % 97 == 1
cp = {r["counterparty"]: r["lei"] for r in csv.DictReader(open("counterparties.csv"))}
want = set()
for t in csv.DictReader(open("trades.csv")):
    u, v, x = t["uti"], t["venue"], t["exec_time"]
    if not lei_ok(cp[t["counterparty"]]): want.add(("report_cpty_lei", t["trade_id"]))
    if not (re.fullmatch(r"[0-9A-Z]{21,52}", u) and lei_ok(u[:20])): want.add(("uti", t["trade_id"]))
    if not re.fullmatch(r"[0-9A-Z]{4}", v): want.add(("venue", t["trade_id"]))
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", x): want.add(("exec_time", t["trade_id"]))
got = {(r["rule"], r["entity_id"]) for r in csv.DictReader(open("b.csv")) if r["rule"] not in ("lei",)}
assert got == want, (sorted(got), sorted(want))
assert ("uti", "R2") not in got and ("uti", "R3") in got
PY
	run_split qe-screen check --rules regulatory --asof 2026-11-25 -c counterparties.csv -t trades.csv \
		--reporting-lei 5493001KJTIIGC8Y1R13 -q -o b.csv
	grep -q '^2026-11-25,regulatory,report_lei,breach,counterparty,5493001KJTIIGC8Y1R13,' b.csv
}

whatif_book() {
	mandate_book
	clean_cp
	sed -i '/^\(A2\|A3\|A4\|A5\|A6\|A7\|E3\|E4\|X1\|X2\)/d' trades.csv
	printf 'trade_id,version,status,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end\n' > new.csv
	printf 'limit_id,type,scope,key,metric,limit,unit\nV1,var,book,G1,var_99_1d,1000,USD\n' > lim.csv
	printf 'portfolio,alpha,var_before,var_after,incremental_var,es_before,es_after,currency,asof\nG1,0.99,900,1000,100,1000,1100,USD,2026-11-25\n' > wi.csv
}

whatif_run() {
	qe-screen whatif --asof 2026-11-25 -c cp.csv -l lim.csv -t trades.csv -m markets.csv --fx fx.csv --mandates mand.csv \
		--new new.csv --var-whatif wi.csv -q -o b.csv "$@"
}

@test "whatif: exit 0 when the new trades fit, 1 with the breaches they would cause; var_after at the limit inside" {
	whatif_book
	run whatif_run
	assert_success
	[ "$(wc -l < b.csv)" -eq 1 ]
	# ann's book is at 1,000,000 with A1's 500,000; a new 20-lot trade at
	# 5 is exactly 1,000,000: fits; at 5.0001 it would breach
	echo 'W1,1,new,G1,ann,C,future,NG_HH,buy,20,lots,5,USD,2027-01-01,2027-01-31' >> new.csv
	run whatif_run
	assert_success
	echo 'W2,1,new,G1,ann,C,future,NG_HH,buy,20,lots,5.0001,USD,2027-01-01,2027-01-31' >> new.csv
	run whatif_run
	assert_failure 1
	run mandate_got
	assert_output 'mandate_notional W2 1000020 1000000'
	# an amendment in the new file replaces the book's trade
	echo 'A1,2,amend,G9,ann,C,future,NG_HH,buy,10,lots,5,USD,2027-11-01,2027-11-30' >> new.csv
	run whatif_run
	run mandate_got
	assert_output $'mandate_book A1  \nmandate_notional W2 1000020 1000000'
	# VaR with the new trades: var_after above the limit
	sed -i 's/^G1,0.99,900,1000,/G1,0.99,900,1000.01,/' wi.csv
	run whatif_run
	assert_failure 1
	grep -q '^2026-11-25,limits,var,breach,book,G1,1000.01,1000,' b.csv
	grep -q 'what-if VaR var_99_1d of G1' b.csv
}

@test "whatif: usage errors exit 2; bad new trades exit 3 naming the new file; check refuses --new" {
	whatif_book
	run_split qe-screen whatif --asof 2026-11-25 -l lim.csv -t trades.csv -m markets.csv --mandates mand.csv
	assert_failure 2
	[[ "$stderr" == *"--new is required"* ]] || fail "$stderr"
	run_split whatif_run --rules sharia
	assert_failure 2
	run_split whatif_run --var var.csv
	assert_failure 2
	run_split qe-screen check --rules limits --asof 2026-11-25 -l lim.csv -t trades.csv --new new.csv
	assert_failure 2
	[[ "$stderr" == *"--new is an option of 'qe-screen whatif'"* ]] || fail "$stderr"
	echo 'W1,x,new,G1,ann,C,future,NG_HH,buy,20,lots,5,USD,2027-01-01,2027-01-31' >> new.csv
	run_split whatif_run
	assert_failure 3
	[[ "$stderr" == *"new.csv:2:2: column 'version': not a finite number 'x'"* ]] || fail "$stderr"
	[ ! -e b.csv ]
	run qe-screen whatif --help
	assert_success
	[[ "$output" == *"--var-whatif FILE"* ]]
}

@test "check: the bundled mandates and position levels trip on purpose (bwalsh options, iyusuf tenor, kbauer notional)" {
	run_split qe-screen check --rules limits,regulatory --asof 2026-11-25 -c "$DATA/counterparties.csv" \
		-l "$DATA/limits.csv" -t "$DATA/trades.csv" -m "$DATA/markets.csv" --fx "$DATA/fx.csv" \
		--mandates "$DATA/trader_mandates.csv" --levels "$DATA/position_levels.csv" -o b.csv
	assert_failure 1
	"$PYORACLE" - <<'PY'
import csv
rows = list(csv.DictReader(open("b.csv")))
by = {}
for r in rows:
    if r["rule"].startswith("mandate_"):
        by.setdefault(r["rule"], set()).add(r["entity_id"])
assert by == {"mandate_instrument": {"bwalsh"}, "mandate_tenor": {"iyusuf"}, "mandate_notional": {"kbauer"}}, by
assert any(r["rule"] == "reportable" for r in rows)
PY
}

# --- abuse, quality market checks, Islamic terms (issue 14) ------------

thresholds() {
	cat > thr.csv <<'CSV'
rule_set,rule,parameter,value
abuse,wash_offset,window_seconds,300
abuse,price_range,tolerance,0.25
abuse,layering,count,3
abuse,layering,window_seconds,60
quality,stale,days,3
quality,jump,k,5
quality,jump,window,30
quality,jump,min_returns,10
sharia,salam_prepaid,min_fraction,1
sharia,arboun_down_payment,above_fraction,0
CSV
}

# A book where each abuse rule trips once and is missed once just inside.
abuse_book() {
	thresholds
	cat > cp.csv <<'CSV'
counterparty,name,lei,beneficial_owner
A,A,5493001KJTIIGC8Y1R12,G1
B,B,7LTWFZYICNSX8D621K86,G1
C,C,HWUPKR0MPOU8FGXBT394,C
D,D,529900T8BM49AURSDO55,D
CSV
	cat > hist.csv <<'CSV'
date,curve,tenor,contract,price
2026-11-24,NG_HH,2,2027-01,4
2026-11-25,NG_HH,2,2027-01,4.5
2026-11-25,NG_HH,3,,4.25
CSV
	cat > trades.csv <<'CSV'
trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,delivery_start,delivery_end,exec_time
W1,1,new,2026-11-20,X,t1,A,swap,NG_HH,buy,100,lots,3,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
W2,1,new,2026-11-20,X,t1,B,swap,NG_HH,sell,100.0,lots,3.5,2027-02-01,2027-02-28,2026-11-20T15:00:00Z
W3,1,new,2026-11-20,X,t1,A,swap,NG_HH,buy,200,lots,3,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
W4,1,new,2026-11-20,X,t1,C,swap,NG_HH,sell,200,lots,3.5,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
W5,1,new,2026-11-20,X,t1,A,swap,NG_HH,buy,300,lots,3,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
W6,1,new,2026-11-20,X,t1,B,swap,NG_HH,sell,300,lots,3,2027-03-01,2027-03-31,2026-11-20T09:00:00Z
W7,1,new,2026-11-20,X,t1,A,swap,NG_HH,buy,400,lots,3,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
W8,1,new,2026-11-20,X,t1,A,swap,NG_HH,sell,400,lots,3.5,2027-02-01,2027-02-28,2026-11-20T09:00:00Z
O1,1,new,2026-11-20,Y,t2,C,future,TTF,buy,10,lots,30,2027-03-01,2027-03-31,2026-11-20T10:00:00+01:00
O2,1,new,2026-11-20,Y,t2,D,future,TTF,sell,10,lots,30,2027-03-01,2027-03-31,2026-11-20T09:04:59Z
O3,1,new,2026-11-20,Y,t2,C,future,TTF,buy,20,lots,31,2027-03-01,2027-03-31,2026-11-20T11:00:00Z
O4,1,new,2026-11-20,Y,t2,D,future,TTF,sell,20,lots,31,2027-03-01,2027-03-31,2026-11-20T11:05:00Z
O5,1,new,2026-11-20,Z,t2,D,future,TTF,sell,10,lots,30,2027-03-01,2027-03-31,2026-11-20T09:01:00Z
O6,1,new,2026-11-20,Y,t2,D,future,TTF,sell,10,lots,30.01,2027-03-01,2027-03-31,2026-11-20T09:01:00Z
P1,1,new,2026-11-25,P,t3,C,future,NG_HH,buy,1,lots,5.625,2027-01-01,2027-01-31,
P2,1,new,2026-11-25,P,t3,C,future,NG_HH,buy,2,lots,5.626,2027-01-01,2027-01-31,
P3,1,new,2026-11-25,P,t3,C,forward,NG_HH,buy,3,lots,3,2027-01-01,2027-01-31,
P4,1,new,2026-11-25,P,t3,C,swap,NG_HH,buy,4,lots,2.999,2027-01-01,2027-01-31,
P5,1,new,2026-11-25,P,t3,C,option,NG_HH,buy,5,lots,0.1,2027-01-01,2027-01-31,
P6,1,new,2026-11-25,P,t3,C,swap,NG_HH,buy,6,lots,9,2027-01-01,2027-02-28,
P7,1,new,2026-11-26,P,t3,C,swap,NG_HH,buy,7,lots,9,2027-01-01,2027-01-31,
P8,1,new,2026-11-25,P,t3,C,swap,NG_HH,buy,8,lots,9,2027-01-01,2027-01-31,
P8,2,cancel,2026-11-25,P,t3,C,swap,NG_HH,buy,8,lots,9,2027-01-01,2027-01-31,2026-11-25T08:00:00Z
L1,1,new,2026-11-25,Q,lay,C,physical,TTF,buy,1,MW,30,2027-05-01,2027-05-31,2026-11-25T08:00:00Z
L1,2,amend,2026-11-25,Q,lay,C,physical,TTF,buy,2,MW,30,2027-05-01,2027-05-31,2026-11-25T10:00:00Z
L1,3,amend,2026-11-25,Q,lay,C,physical,TTF,buy,3,MW,30,2027-05-01,2027-05-31,2026-11-25T10:00:20Z
L2,1,new,2026-11-25,Q,lay,C,physical,TTF,buy,4,MW,30,2027-05-01,2027-05-31,2026-11-25T08:00:00Z
L2,2,amend,2026-11-25,Q,lay,C,physical,TTF,buy,5,MW,30,2027-05-01,2027-05-31,2026-11-25T11:00:40+01:00
L2,3,cancel,2026-11-25,Q,lay,C,physical,TTF,buy,5,MW,30,2027-05-01,2027-05-31,2026-11-25T10:01:00Z
K1,1,new,2026-11-25,Q,ok,C,physical,TTF,buy,6,MW,30,2027-05-01,2027-05-31,2026-11-25T08:00:00Z
K1,2,amend,2026-11-25,Q,ok,C,physical,TTF,buy,7,MW,30,2027-05-01,2027-05-31,2026-11-25T10:00:00Z
K1,3,amend,2026-11-25,Q,ok,C,physical,TTF,buy,8,MW,30,2027-05-01,2027-05-31,2026-11-25T10:00:30Z
K1,4,amend,2026-11-25,Q,ok,C,physical,TTF,buy,9,MW,30,2027-05-01,2027-05-31,2026-11-25T10:01:00Z
K1,5,amend,2026-11-25,Q,ok,C,physical,TTF,buy,10,MW,30,2027-05-01,2027-05-31,2026-11-25T10:01:01Z
CSV
}

abuse_check() {
	qe-screen check --rules abuse --asof 2026-11-25 -c cp.csv -t trades.csv --history hist.csv \
		--thresholds thr.csv "$@"
}

# The abuse findings computed by python from the crafted files, as
# "rule entity value" lines, sorted (value empty when the rule has none).
abuse_oracle() {
	"$PYORACLE" - "$@" <<'PY'
import csv, sys, datetime as dt
window = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
thr = {(r["rule_set"], r["rule"], r["parameter"]): float(r["value"]) for r in csv.DictReader(open("thr.csv"))}
rows = list(csv.DictReader(open("trades.csv")))
top = {}
for r in rows:
    if r["trade_id"] not in top or int(r["version"]) >= int(top[r["trade_id"]]["version"]):
        top[r["trade_id"]] = r
live = [r for r in top.values() if r["status"] != "cancel"]
owner = {r["counterparty"]: r["beneficial_owner"] for r in csv.DictReader(open("cp.csv"))}
ts = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
out = []
def pairs(key, ok):
    groups = {}
    for r in live:
        k = key(r)
        if k is not None:
            groups.setdefault(k, []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: (ts(r["exec_time"]) if r["exec_time"] else 0))
        used = set()
        for j, b in enumerate(g):
            for i in range(j):
                a = g[i]
                if i in used or j in used or a["side"] == b["side"] or not ok(a, b):
                    continue
                used |= {i, j}
                yield a, b
                break
common = lambda r: (r["curve"], r["instrument"], r["delivery_start"], r["delivery_end"], r["unit"], float(r["quantity"]))
for a, b in pairs(lambda r: (owner.get(r["counterparty"]),) + common(r) if owner.get(r["counterparty"]) else None,
                  lambda a, b: a["counterparty"] != b["counterparty"]):
    out.append(("wash_owner", b["trade_id"], ""))
for a, b in pairs(lambda r: (r["book"], float(r["price"])) + common(r) if r["exec_time"] else None,
                  lambda a, b: abs(ts(b["exec_time"]) - ts(a["exec_time"])) < window):
    out.append(("wash_offset", b["trade_id"], "%g" % (ts(b["exec_time"]) - ts(a["exec_time"]))))
hist = {}
for r in csv.DictReader(open("hist.csv")):
    hist[(r["curve"], r["contract"], r["date"])] = float(r["price"])
tol = thr[("abuse", "price_range", "tolerance")]
for r in live:
    if r["instrument"] not in ("future", "forward", "swap", "physical") or r["delivery_start"][:7] != r["delivery_end"][:7]:
        continue
    d = dt.date.fromisoformat(r["trade_date"])
    today = hist.get((r["curve"], r["delivery_start"][:7], str(d)))
    if today is None:
        continue
    before = next((hist[k] for k in ((r["curve"], r["delivery_start"][:7], str(d - dt.timedelta(n))) for n in range(1, 11)) if k in hist), today)
    lo, hi = min(today, before), max(today, before)
    p = float(r["price"])
    if p < lo - tol * abs(lo) or p > hi + tol * abs(hi):
        out.append(("price_range", r["trade_id"], "%g" % p))
n, span = thr[("abuse", "layering", "count")], thr[("abuse", "layering", "window_seconds")]
ev = {}
for r in rows:
    if r["status"] in ("amend", "cancel") and r["exec_time"]:
        ev.setdefault(r["trader"], []).append(ts(r["exec_time"]))
for trader, t in ev.items():
    t.sort()
    most = max(sum(1 for y in t if x <= y <= x + span) for x in t)
    if most > n:
        out.append(("layering", trader, "%g" % most))
for o in sorted(out):
    print(*o)
PY
}

abuse_found() {
	"$PYORACLE" -c '
import csv
for r in sorted(csv.DictReader(open("b.csv")), key=lambda r: (r["rule"], r["entity_id"])):
    if r["rule_set"] == "abuse":
        v = "%g" % float(r["value"]) if r["value"] else ""
        print(r["rule"], r["entity_id"], v)'
}

@test "check abuse: wash by owner and by offset, price range, layering each tripped and just inside, python oracle" {
	abuse_book
	run_split abuse_check -o b.csv
	assert_failure 1
	want=$(abuse_oracle)
	# the oracle itself must see what the book was built for
	[ "$want" = $'layering lay 4\nprice_range P2 5.626\nprice_range P4 2.999\nwash_offset O2 299\nwash_owner W2 ' ] || fail "oracle: $want"
	run abuse_found
	assert_output "$want"
	[[ "$stderr" == *"abuse: 5 rows"* ]] || fail "$stderr"
	# the wash window from the command line: 299 s apart is then not a wash
	abuse_check --wash-window 299 -q -o b.csv || true
	run abuse_found
	assert_output "$(abuse_oracle 299)"
	run rows abuse wash_offset
	assert_output ''
	# no beneficial owners in the master: no wash_owner
	cut -d, -f1-3 cp.csv > cp2.csv
	abuse_check -q -o b.csv -c cp2.csv || true
	run rows abuse wash_owner
	assert_output ''
}

@test "check abuse: without exec_time an info row says what was not checked; bad inputs exit 3 or 2" {
	abuse_book
	cut -d, -f1-15 trades.csv > notime.csv
	run_split abuse_check -t notime.csv -o b.csv
	assert_failure 1
	run rows abuse unchecked
	assert_output 'all info'
	run rows abuse layering
	assert_output ''
	# a malformed timestamp names its cell
	sed 's/2026-11-20T09:04:59Z/2026-11-20 09:04:59/' trades.csv > badtime.csv
	rm b.csv
	run_split abuse_check -t badtime.csv -o b.csv
	assert_failure 3
	[[ "$stderr" == *"badtime.csv:11:16: column 'exec_time'"* ]] || fail "$stderr"
	[ ! -e b.csv ]
	# a threshold the rule needs is missing
	grep -v layering thr.csv > thr2.csv
	run_split abuse_check --thresholds thr2.csv -o b.csv
	assert_failure 3
	[[ "$stderr" == *"thr2.csv: no row abuse,layering,count"* ]] || fail "$stderr"
	run_split qe-screen check --rules abuse --asof 2026-11-25 -t trades.csv
	assert_failure 2
	[[ "$stderr" == *"no thresholds file given"* ]] || fail "$stderr"
	run_split abuse_check --wash-window -1
	assert_failure 2
}

# A history where each quality market rule trips once and is missed once
# just inside, with fixings and trades; python writes it from the NYMEX
# and ICE_EU holiday files.
quality_book() {
	thresholds
	cp -r "$DATA/calendars" "$DATA/markets.csv" .
	"$PYORACLE" - <<'PY'
import csv, math, datetime as dt
def cal(name):
    hol = set()
    for line in open("calendars/%s.txt" % name):
        line = line.split("#")[0].strip()
        if line:
            hol.add(dt.date.fromisoformat(line))
    return lambda d: d.weekday() < 5 and d not in hol
ny, ice = cal("NYMEX"), cal("ICE_EU")
asof = dt.date(2026, 11, 25)
def days(bd, n):
    out, d = [], asof
    while len(out) < n:
        if bd(d):
            out.append(d)
        d -= dt.timedelta(1)
    return out[::-1]
rows = []
def series(curve, contract, dates, prices):
    rows.extend((str(d), curve, 2, contract, "%.10g" % p) for d, p in zip(dates, prices))
def walk(n, seed, last=None, flat=0):
    p, out = 4.0, []
    for i in range(n):
        r = 0.01 * math.sin(seed * 7.1 + i * 1.3) + 0.004 * math.cos(seed + i * 2.9)
        p *= math.exp(r)
        out.append(p)
    if last is not None:
        out[-1] = out[-2] * math.exp(last)
    for j in range(1, flat + 1):
        out[-1 - j + 1] = out[-1 - flat]
    return out
d = days(ny, 40)
series("NG_HH", "2027-01", d, walk(40, 1, flat=4))   # unchanged 4 steps: stale
series("NG_HH", "2027-02", d, walk(40, 2, flat=3))   # 3 steps: inside
series("NG_HH", "2027-03", d, walk(40, 3, last=0.2)) # a jump
series("NG_HH", "2027-05", d, walk(40, 5))
series("CL_WTI", "2027-01", d[:-1], walk(39, 6))     # not settled on its day
series("TTF", "2027-01", days(ice, 40), walk(40, 7))
rows.append((str(asof), "NG_HH", 0, "", "3.9"))       # the spot index
with open("hist.csv", "w") as f:
    f.write("date,curve,tenor,contract,price\n")
    for r in rows:
        f.write(",".join(map(str, r)) + "\n")
with open("fix.csv", "w") as f:
    f.write("curve,date,price\n")
    d = dt.date(2026, 11, 1)
    while d <= asof:
        if ny(d) and d != dt.date(2026, 11, 10):
            f.write("NG_HH,%s,4\n" % d)
        d += dt.timedelta(1)
PY
	cat > trades.csv <<'CSV'
trade_id,version,status,book,counterparty,instrument,curve,delivery_start,delivery_end,avg_start,avg_end
Q1,1,new,A,CP001,future,NG_HH,2027-01-01,2027-05-31,,
Q2,1,new,A,CP001,future,CL_WTI,2027-01-01,2027-01-31,,
Q3,1,new,A,CP001,future,TTF,2026-12-01,2026-12-31,,
Q4,1,new,A,CP001,future,NG_HH,2029-01-01,2029-01-31,,
Q5,1,new,A,CP001,spot,CL_WTI,2026-11-25,2026-11-25,,
S1,1,new,A,CP001,swap,NG_HH,2026-11-01,2026-11-30,,
S2,1,new,A,CP001,swap,NG_HH,2026-12-01,2026-12-31,,
A1,1,new,A,CP001,asian,NG_HH,2027-01-01,2027-01-31,2026-11-11,2026-11-20
A2,1,new,A,CP001,asian,NG_HH,2027-01-01,2027-01-31,2026-11-09,2026-11-13
CSV
}

quality_check() {
	qe-screen check --rules quality --asof 2026-11-25 -c "$DATA/counterparties.csv" -t trades.csv -m markets.csv \
		--calendars calendars --history hist.csv --fixings fix.csv --thresholds thr.csv -q "$@"
}

# "rule entity value" of the quality market findings, by python from the
# crafted files (K: the jump threshold to use instead of thr.csv's).
quality_oracle() {
	"$PYORACLE" - "$@" <<'PY'
import csv, sys, math, statistics as st
thr = {(r["rule_set"], r["rule"], r["parameter"]): float(r["value"]) for r in csv.DictReader(open("thr.csv"))}
k = float(sys.argv[1]) if len(sys.argv) > 1 else thr[("quality", "jump", "k")]
days, window, minret = thr[("quality", "stale", "days")], int(thr[("quality", "jump", "window")]), thr[("quality", "jump", "min_returns")]
ser = {}
for r in csv.DictReader(open("hist.csv")):
    ser.setdefault((r["curve"], r["contract"] or "spot"), []).append((r["date"], float(r["price"])))
out = []
for (curve, contract), s in sorted(ser.items()):
    s.sort()
    if s[-1][0] != "2026-11-25":
        continue
    p = [x[1] for x in s]
    run = 0
    while run + 1 < len(p) and p[-1 - run] == p[-2 - run]:
        run += 1
    if run > days:
        out.append(("stale", "%s:%s" % (curve, contract), "%g" % run))
    if len(p) - 2 < minret:
        continue
    p = p[-(window + 2):]
    rets = [math.log(b / a) for a, b in zip(p, p[1:])]
    today, past = rets[-1], rets[:-1]
    med = st.median(past)
    sigma = 1.4826 * st.median([abs(x - med) for x in past])
    if sigma > 0 and abs(today - med) / sigma > k:
        out.append(("jump", "%s:%s" % (curve, contract), "%.6g" % (abs(today - med) / sigma)))
out += [("missing_settlement", "CL_WTI", ""), ("missing_settlement", "NG_HH:2027-04", ""),
        ("missing_fixing", "A2", "1"), ("missing_fixing", "S1", "1")]
for o in sorted(out):
    print(*o)
PY
}

quality_found() {
	"$PYORACLE" -c '
import csv
for r in sorted(csv.DictReader(open("b.csv")), key=lambda r: (r["rule"], r["entity_id"])):
    if r["rule_set"] == "quality" and r["rule"] not in ("lei", "unknown_curve"):
        v = r["value"] and ("%.6g" % float(r["value"]) if r["rule"] == "jump" else "%g" % float(r["value"]))
        print(r["rule"], r["entity_id"], v)'
}

@test "check quality: stale, jump, missing settlement and fixings tripped and just inside, python oracle" {
	quality_book
	quality_check -o b.csv || true
	want=$(quality_oracle)
	[[ "$want" == *"stale NG_HH:2027-01 4"* && "$want" != *"NG_HH:2027-02"* && "$want" == *"jump NG_HH:2027-03"* ]] ||
		fail "oracle: $want"
	run quality_found
	assert_output "$want"
	# the jump threshold at the jump's own size is inside; just below it trips
	z=$("$PYORACLE" -c 'import csv; print(repr([float(r["value"]) for r in csv.DictReader(open("b.csv")) if r["rule"] == "jump" and r["entity_id"] == "NG_HH:2027-03"][0]))')
	for f in 1.000000001 0.999999999; do
		kk=$("$PYORACLE" -c "print(repr($z * $f))")
		sed "s/^quality,jump,k,.*/quality,jump,k,$kk/" thr.csv > thr2.csv
		quality_check --thresholds thr2.csv -o b.csv || true
		run quality_found
		assert_output "$(cp thr2.csv thr.csv; quality_oracle "$kk")"
	done
	run rows quality jump
	assert_output 'NG_HH:2027-03 warning'
}

@test "check quality: stale exactly at days is inside; a history without contracts; bad history exit 3" {
	quality_book
	sed -i 's/^quality,stale,days,.*/quality,stale,days,4/' thr.csv
	quality_check -o b.csv || true
	run rows quality stale
	assert_output ''
	printf 'date,curve,tenor,contract,price\n2026-11-25,NG_HH,2,2027-01,x\n' > bad.csv
	run_split quality_check --history bad.csv -o b2.csv
	assert_failure 3
	[[ "$stderr" == *"bad.csv:2:5: column 'price'"* ]] || fail "$stderr"
	[ ! -e b2.csv ]
	printf 'date,curve,tenor,contract,price\n2026-11-25,NG_HH,2,2027-13,4\n' > bad.csv
	run_split quality_check --history bad.csv -o b2.csv
	assert_failure 3
	[[ "$stderr" == *"bad.csv:2:4: column 'contract'"* ]] || fail "$stderr"
	run_split qe-screen check --rules quality --asof 2026-11-25 -c "$DATA/counterparties.csv" -t trades.csv \
		-m markets.csv --history hist.csv
	assert_failure 2
}

@test "check sharia: Islamic contract terms per Standard 20; salam exactly paid in full inside; DJIM/S&P on 24/36-month caps" {
	thresholds
	cp "$DATA/sharia_profiles.csv" "$DATA/sharia_instruments.csv" .
	cat > cp.csv <<'CSV'
counterparty,name,lei,country,sector,credit_limit,currency,netting,total_assets,market_cap,debt,cash,receivables,revenue,nonpermissible_income,beneficial_owner,parent,market_cap_24m,market_cap_36m
K,K,5493001KJTIIGC8Y1R12,US,utilities,1,USD,yes,1000,100,33,1,1,100,0,K,,99.99,100
CSV
	cat > trades.csv <<'CSV'
trade_id,version,status,book,counterparty,instrument,curve
M1,1,new,ISL,K,physical,NG_HH
M2,1,new,ISL,K,physical,NG_HH
M3,1,new,ISL,K,physical,NG_HH
S1,1,new,ISL,K,physical,NG_HH
S2,1,new,ISL,K,physical,NG_HH
R1,1,new,ISL,K,physical,NG_HH
R2,1,new,ISL,K,physical,NG_HH
I1,1,new,ISL,K,physical,NG_HH
I2,1,new,ISL,K,physical,NG_HH
X1,1,new,ISL,K,physical,NG_HH
C1,1,new,ISL,K,physical,NG_HH
C1,2,cancel,ISL,K,physical,NG_HH
B1,1,new,CONV,K,physical,NG_HH
CSV
	cat > terms.csv <<'CSV'
trade_id,contract,owned_commodity,markup_disclosed,prepaid_fraction,late_payment_interest
M1,murabaha,yes,yes,0,no
M2,murabaha,no,yes,0,no
M3,murabaha,yes,no,0,no
S1,salam,yes,yes,1,no
S2,salam,yes,yes,0.999999,no
R1,arboun,yes,yes,0,no
R2,arboun,yes,yes,0.000001,no
I1,istisna,yes,yes,0,no
I2,wa'd,yes,yes,0,yes
C1,murabaha,no,no,0,yes
B1,murabaha,no,no,0,yes
CSV
	run_split qe-screen check --rules sharia --asof 2026-11-25 -c cp.csv -t trades.csv --profiles sharia_profiles.csv \
		--instruments sharia_instruments.csv --islamic-books ISL --islamic-terms terms.csv --thresholds thr.csv -o b.csv
	assert_failure 1
	"$PYORACLE" - <<'PY'
import csv
got = sorted((r["rule"], r["entity_id"], r["severity"]) for r in csv.DictReader(open("b.csv"))
             if r["entity_type"] == "trade" and r["rule"] != "instrument")
thr = {(r["rule"], r["parameter"]): float(r["value"]) for r in csv.DictReader(open("thr.csv")) if r["rule_set"] == "sharia"}
live = {r["trade_id"]: r for r in csv.DictReader(open("trades.csv"))}
want = []
for t in csv.DictReader(open("terms.csv")):
    tr = live[t["trade_id"]]
    if tr["status"] == "cancel" or tr["book"] != "ISL":
        continue
    c, tid, pre = t["contract"], t["trade_id"], float(t["prepaid_fraction"])
    if c == "murabaha" and t["owned_commodity"] == "no": want.append(("murabaha_owned", tid, "breach"))
    if c == "murabaha" and t["markup_disclosed"] == "no": want.append(("murabaha_markup", tid, "breach"))
    if c == "salam" and pre < thr[("salam_prepaid", "min_fraction")]: want.append(("salam_prepaid", tid, "breach"))
    if c == "arboun" and not pre > thr[("arboun_down_payment", "above_fraction")]: want.append(("arboun_down_payment", tid, "warning"))
    if t["late_payment_interest"] == "yes": want.append(("late_payment_interest", tid, "breach"))
want.append(("terms", "X1", "warning"))
assert got == sorted(want), (got, sorted(want))
PY
	# DJIM divides by the 24-month average (33/99.99 > 0.33), S&P by the
	# 36-month one (33/100 = 0.33, inside), AAOIFI by the current cap
	for p in DJIM SP AAOIFI; do
		qe-screen check --rules sharia --asof 2026-11-25 -c cp.csv --profiles sharia_profiles.csv --profile $p -q -o b.csv || true
		"$PYORACLE" - $p <<'PY'
import csv, sys
p = sys.argv[1]
cp = next(csv.DictReader(open("cp.csv")))
prof = [r for r in csv.DictReader(open("sharia_profiles.csv")) if r["profile"] == p and r["rule"] == "debt"][0]
ratio = float(cp["debt"]) / float(cp[prof["base"]])
want = ratio > float(prof["threshold"])
got = [r for r in csv.DictReader(open("b.csv")) if r["rule"] == "debt"]
assert bool(got) == want, (p, ratio, got)
if got:
    assert abs(float(got[0]["value"]) - ratio) < 1e-15, got
assert {"DJIM": "market_cap_24m", "SP": "market_cap_36m", "AAOIFI": "market_cap"}[p] == prof["base"]
assert p == "AAOIFI" or (p == "DJIM") == want, (p, want)
PY
	done
	# a contract the format lacks
	sed -i 's/^I1,istisna/I1,ijara/' terms.csv
	run_split qe-screen check --rules sharia --asof 2026-11-25 -c cp.csv -t trades.csv --profiles sharia_profiles.csv \
		--islamic-terms terms.csv --thresholds thr.csv -o b2.csv
	assert_failure 3
	[[ "$stderr" == *"terms.csv:9:2: column 'contract'"* ]] || fail "$stderr"
	[ ! -e b2.csv ]
}

@test "check sharia and quality: the bundled Islamic terms break Standard 20 on purpose; the bundled history is clean" {
	run_split qe-screen check --rules sharia,quality --asof 2026-11-25 -c "$DATA/counterparties.csv" \
		-t "$DATA/trades.csv" -m "$DATA/markets.csv" --history "$DATA/history.csv" --fixings "$DATA/fixings.csv" \
		--thresholds "$DATA/screen_thresholds.csv" --profiles "$DATA/sharia_profiles.csv" \
		--islamic-terms "$DATA/islamic_terms.csv" --islamic-books ISLAMIC \
		--instruments "$DATA/sharia_instruments.csv" -o b.csv
	assert_failure 1
	"$PYORACLE" - "$DATA" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open("b.csv")))
top = {}
for r in csv.DictReader(open(d + "/trades.csv")):
    if r["trade_id"] not in top or int(r["version"]) >= int(top[r["trade_id"]]["version"]):
        top[r["trade_id"]] = r
live = {k for k, r in top.items() if r["status"] != "cancel" and r["book"] == "ISLAMIC"}
want = set()
for t in csv.DictReader(open(d + "/islamic_terms.csv")):
    if t["trade_id"] not in live:
        continue
    if t["contract"] == "murabaha" and t["owned_commodity"] == "no": want.add(("murabaha_owned", t["trade_id"]))
    if t["contract"] == "salam" and float(t["prepaid_fraction"]) < 1: want.add(("salam_prepaid", t["trade_id"]))
    if t["late_payment_interest"] == "yes": want.add(("late_payment_interest", t["trade_id"]))
got = {(r["rule"], r["entity_id"]) for r in rows if r["rule"] in ("murabaha_owned", "salam_prepaid", "late_payment_interest")}
assert got == want and {w[0] for w in want} == {"murabaha_owned", "salam_prepaid", "late_payment_interest"}, (got, want)
assert not [r for r in rows if r["rule"] in ("stale", "jump", "missing_settlement", "missing_fixing")], "history not clean"
PY
}

@test "check abuse on the bundled data: exactly the deliberate cases of qe-synth (wash pair, layering, price range)" {
	run_split qe-screen check --rules abuse --asof 2026-11-25 -c "$DATA/counterparties.csv" -t "$DATA/trades.csv" \
		--history "$DATA/history.csv" --thresholds "$DATA/screen_thresholds.csv" -o b.csv
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	run python3 -c 'import csv,sys; [print(r["rule"], r["entity_type"], r["entity_id"], sep=",") for r in csv.DictReader(open(sys.argv[1]))]' b.csv
	assert_output "wash_owner,trade,T00003002
wash_offset,trade,T00003002
layering,trader,cdubois
price_range,trade,T00003006"
	# the cases as python reads them from the data: the pair offsets, one owner
	python3 - "$DATA/trades.csv" "$DATA/counterparties.csv" <<'PY'
import csv, sys, datetime as dt
t = {r["trade_id"] + "/" + r["version"]: r for r in csv.DictReader(open(sys.argv[1]))}
cp = {r["counterparty"]: r for r in csv.DictReader(open(sys.argv[2]))}
a, b = t["T00003001/1"], t["T00003002/1"]
assert cp[a["counterparty"]]["beneficial_owner"] == cp[b["counterparty"]]["beneficial_owner"]
assert a["counterparty"] != b["counterparty"] and {a["side"], b["side"]} == {"buy", "sell"}
for k in ("curve", "quantity", "price", "delivery_start", "delivery_end", "book"):
    assert a[k] == b[k], k
gap = dt.datetime.fromisoformat(b["exec_time"]) - dt.datetime.fromisoformat(a["exec_time"])
assert 0 < gap.total_seconds() < 300, gap
ev = sorted(dt.datetime.fromisoformat(r["exec_time"]) for r in t.values()
            if r["trader"] == "cdubois" and r["status"] in ("amend", "cancel"))
assert max(sum(1 for y in ev if 0 <= (y - x).total_seconds() <= 60) for x in ev) == 6
PY
}

# --- options by delta in the position rules (issues 14 and 17) ----------
# tests/screen/optbook.bash: a crafted book priced by qe-price; expected
# deltas from scipy's Black-76 (tests/screen/delta_oracle.py).

load screen/optbook

delta_rules() {
	clean_cp
	cat > levels.csv <<'CSV'
curve,kind,level,unit,instruments,source
NG_HH,reportable,0.001,lots,future;option,test
NG_HH,accountability_single,0.001,MMBtu,future;option,test
CL_WTI,reportable,0.001,lots,future;option,test
TTF,eu_other_months,0.001,MWh,future;option,test
CSV
	printf 'curve,days_left,limit,instruments\nNG_HH,100,1,future;option\n' > spot.csv
}

delta_check() {
	qe-screen check --rules regulatory -c cp.csv -t trades.csv -m markets.csv --calendars calendars \
		-o b.csv "$@"
}

# python: the net per curve and month of the optbook, options by their
# Black-76 delta (X1, not priced, by its quantity when $1 is "qty", and all
# options by quantity when $1 is "all"), against the value and sign of
# the rows of b.csv
delta_oracle() {
	"$PYORACLE" - "$QE_TOP/tests/screen" "$1" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[1])
from delta_oracle import positions
lots, units = {}, {}
for p in positions():
    by_qty = sys.argv[2] == "all" and p["option"] or not p["priced"]
    x = p["quantity_lots"] if by_qty else p["lots"]
    k = (p["curve"], p["month"])
    lots[k] = lots.get(k, 0.0) + x
    units[k] = units.get(k, 0.0) + x * p["units"] / p["lots"] if p["lots"] else units.get(k, 0.0)
got = {}
for r in csv.DictReader(open("b.csv")):
    if r["rule"] in ("reportable", "accountability_single", "eu_other_months"):
        sign = -1 if " short " in r["message"] else 1
        got[(r["rule"], r["entity_id"])] = sign * float(r["value"])
want = {}
for (c, m), x in lots.items():
    if c in ("NG_HH", "CL_WTI"):
        want[("reportable", f"{c}:{m}")] = x
for (c, m), x in units.items():
    if c == "NG_HH":
        want[("accountability_single", f"{c}:{m}")] = x
# TTF: the front month on 2026-11-25 is December; March is another month.
# (By quantity, qe-screen counts a TTF lot as lot_size MWh, not lot_size MW
# over the month's hours: TTF is left out of the "all" run.)
if sys.argv[2] != "all":
    want[("eu_other_months", "TTF")] = sum(x for (c, m), x in units.items() if c == "TTF")
for k, w in want.items():
    assert k in got, (k, w, got)
    assert abs(got[k] - w) <= 1e-9 * max(1, abs(w)), (k, got[k], w)
    print(k[0], k[1], "%.6f" % w)
PY
}

@test "check regulatory --sensitivities: options by their Black-76 delta (scipy) in lots and units, futures by quantity" {
	optbook
	delta_rules
	run optbook_price
	[ "$status" -eq 3 ] || fail "exit $status: $output"
	grep -q '^X1,.*expiry in the past' errors.csv
	run_split delta_check --asof 2026-11-25 --levels levels.csv --sensitivities sens.csv
	assert_failure 1
	[[ "$stderr" != *"note: no --sensitivities"* ]] || fail "$stderr"
	run delta_oracle qty
	assert_success
	# the options moved the positions: January is not 30 + 100 - 80 lots
	[[ "$output" != *"NG_HH:2027-01 50.000000"* ]] || fail "$output"
	# X1 could not be priced: counted by its 10 lots, and a warning says so
	assert_line "reportable NG_HH:2026-12 10.000000"
	run "$PYORACLE" -c 'import csv; print(*sorted((r["entity_id"], r["severity"]) for r in csv.DictReader(open("b.csv")) if r["rule"] == "no_delta"))'
	assert_output "('X1', 'warning')"
	# a sold call in MMBtu (O3) and a cancelled put (C3) are in February
	grep -q '^2026-11-25,regulatory,reportable,info,curve,NG_HH:2027-02,.*net short' b.csv
}

@test "check regulatory --sensitivities: the NG spot month nets futures and option deltas (scipy) against its limit" {
	optbook
	delta_rules
	run optbook_price
	[ "$status" -eq 3 ] || fail "exit $status: $output"
	# on 1 December the front NG contract is January 2027
	run_split delta_check --asof 2026-12-01 --spot-limits spot.csv --sensitivities sens.csv -q
	assert_failure 1
	"$PYORACLE" - "$QE_TOP/tests/screen" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[1])
from delta_oracle import positions
want = sum(p["lots"] for p in positions() if p["curve"] == "NG_HH" and p["month"] == "2027-01")
rows = [r for r in csv.DictReader(open("b.csv")) if r["rule"] == "spot_month"]
assert [r["entity_id"] for r in rows] == ["NG_HH:2027-01"], rows
assert abs(float(rows[0]["value"]) - abs(want)) <= 1e-9 * abs(want), (rows[0]["value"], want)
# a call bought and a put sold both add, each less than its lots
assert 30 < want < 30 + 100 + 80 and abs(want - 50) > 1, want
PY
}

@test "check regulatory without --sensitivities: options by quantity, and a note says so" {
	optbook
	delta_rules
	run_split delta_check --asof 2026-11-25 --levels levels.csv
	assert_failure 1
	[[ "$stderr" == *"qe-screen: note: no --sensitivities: options count by their quantity in the position rules"* ]] ||
		fail "$stderr"
	run delta_oracle all
	assert_success
	assert_line "reportable NG_HH:2027-01 50.000000"
	run grep -c ',no_delta,' b.csv
	assert_output 0
}

@test "check regulatory --sensitivities: a missing column, an unknown trade, NaN, a bad date exit 3 at file:line:col" {
	optbook
	delta_rules
	run optbook_price
	[ "$status" -eq 3 ] || fail "exit $status: $output"
	cp sens.csv good.csv
	bad() {
		run_split delta_check --asof 2026-11-25 --levels levels.csv --sensitivities sens.csv
		[ "$status" -eq 3 ] || fail "exit $status: $stderr"
		[[ "$stderr" == *"$1"* ]] || fail "$stderr"
		[ ! -e b.csv ] || fail "b.csv written"
		cp good.csv sens.csv
	}
	cut -d, -f1-6,8- good.csv > sens.csv
	bad "sens.csv:1:1: missing required column 'delta'"
	echo 'ZZ9,A,NG_HH,2027-01-01,2027-01-31,2,1,0,0,0,,' >> sens.csv
	bad "sens.csv:$(wc -l < sens.csv):1: column 'trade_id': trade 'ZZ9' is not in trades.csv"
	awk -F, -v OFS=, 'NR == 3 { $7 = "nan" } 1' good.csv > sens.csv
	bad "sens.csv:3:7: column 'delta': not a finite number 'nan'"
	awk -F, -v OFS=, 'NR == 2 { $4 = "2027-13-01" } 1' good.csv > sens.csv
	bad "sens.csv:2:4: column 'delivery_start': not a date YYYY-MM-DD '2027-13-01'"
}

@test "check regulatory --sensitivities: the bundled book's levels equal python's aggregation of qe-price's sensitivities" {
	qe-price -q --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --fixings "$DATA/fixings.csv" --markets "$DATA/markets.csv" \
		--calendars "$DATA/calendars" -o val.csv --sensitivities sens.csv
	clean_cp
	printf '%s\n' 'curve,kind,level,unit,instruments,source' 'NG_HH,reportable,0.001,lots,future;option,test' \
		'CL_WTI,reportable,0.001,lots,future;option,test' 'BRENT,accountability_single,0.001,bbl,future;option,test' > levels.csv
	run_split qe-screen check --rules regulatory --asof 2026-11-25 -c cp.csv -t "$DATA/trades.csv" \
		-m "$DATA/markets.csv" --calendars "$DATA/calendars" --levels levels.csv --sensitivities sens.csv -q -o b.csv
	assert_success
	"$PYORACLE" - "$DATA" <<'PY'
import csv, sys, datetime as dt
data = sys.argv[1]
mk = {r["curve"]: r for r in csv.DictReader(open(data + "/markets.csv"))}
best = {}
for t in csv.DictReader(open(data + "/trades.csv")):
    if t["trade_id"] not in best or int(t["version"]) >= int(best[t["trade_id"]]["version"]):
        best[t["trade_id"]] = t
live = {k: t for k, t in best.items() if t["status"] != "cancel"}
sens = {}
for r in csv.DictReader(open("sens.csv")):
    if not r["curve2"]:
        sens.setdefault(r["trade_id"], []).append(r)
net = {}
def add(c, a, b, x):
    # by days in each month of [a, b]
    a, b = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    d = a
    while d <= b:
        k = (c, d.strftime("%Y-%m"))
        net[k] = net.get(k, 0.0) + x / ((b - a).days + 1)
        d += dt.timedelta(1)
nopt = 0
for t in live.values():
    c = t["curve"]
    if t["instrument"] == "option" and t["trade_id"] in sens:
        nopt += 1
        for r in sens[t["trade_id"]]:
            if r["curve"] in ("NG_HH", "CL_WTI", "BRENT"):
                add(r["curve"], r["delivery_start"], r["delivery_end"], float(r["delta"]))
    elif t["instrument"] in ("future", "option") and c in ("NG_HH", "CL_WTI", "BRENT"):
        assert t["unit"] == "lots", t
        add(c, t["delivery_start"], t["delivery_end"], float(t["quantity"]) * float(mk[c]["lot_size"]) * (1 if t["side"] == "buy" else -1))
got = {}
for r in csv.DictReader(open("b.csv")):
    if r["rule"] in ("reportable", "accountability_single"):
        got[r["entity_id"]] = (-1 if " short " in r["message"] else 1) * float(r["value"])
want = {}
for (c, m), x in net.items():
    x = x if c == "BRENT" else x / float(mk[c]["lot_size"])
    if abs(x) >= 0.001:
        want[f"{c}:{m}"] = x
assert nopt > 100, nopt
assert got.keys() == want.keys(), sorted(set(got) ^ set(want))
for k in want:
    assert abs(got[k] - want[k]) <= 1e-9 * max(1, abs(want[k])), (k, got[k], want[k])
print("ok", len(want))
PY
}
