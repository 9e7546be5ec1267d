# A small book of options and futures on a crafted market (flat vols per
# curve, one rate per currency), for the delta-equivalent positions of
# qe-screen's regulatory rules and qe-report cot (tests/screen.bats,
# tests/report.bats): NG_HH January and February 2027, CL_WTI February,
# TTF March (a DST month of gas days: the hours cancel out of the lots);
# options in lots and in MMBtu, calls and puts, bought and sold; X1 an
# NG option whose expiry is past, which qe-price cannot price.  The
# expected deltas come from tests/screen/delta_oracle.py (scipy).
# Writes markets.csv, calendars/, curves.csv, vols.csv, rates.csv,
# fixings.csv, trades.csv in the current directory; optbook_price then
# writes sens.csv (exit 3: X1 is in errors.csv).

optbook() {
	cp -r "$DATA/calendars" "$DATA/markets.csv" .
	cat > curves.csv <<'CSV'
curve,asof,delivery_start,delivery_end,price,unit,currency
NG_HH,2026-11-25,2026-12-01,2026-12-31,4.05,MMBtu,USD
NG_HH,2026-11-25,2027-01-01,2027-01-31,4.2,MMBtu,USD
NG_HH,2026-11-25,2027-02-01,2027-02-28,3.9,MMBtu,USD
CL_WTI,2026-11-25,2027-02-01,2027-02-28,70.5,bbl,USD
TTF,2026-11-25,2027-03-01,2027-03-31,31.2,MWh,EUR
CSV
	cat > vols.csv <<'CSV'
curve,asof,delivery_start,delivery_end,strike,vol,vol_type
NG_HH,2026-11-25,2026-12-01,2026-12-31,,0.55,lognormal
NG_HH,2026-11-25,2027-01-01,2027-01-31,,0.55,lognormal
NG_HH,2026-11-25,2027-02-01,2027-02-28,,0.55,lognormal
CL_WTI,2026-11-25,2027-02-01,2027-02-28,,0.35,lognormal
TTF,2026-11-25,2027-03-01,2027-03-31,,0.6,lognormal
CSV
	printf 'currency,asof,date,rate\nUSD,2026-11-25,2027-11-25,0.04\nEUR,2026-11-25,2027-11-25,0.025\n' > rates.csv
	printf 'curve,date,price\n' > fixings.csv
	local h="trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry"
	cat > trades.csv <<CSV
$h
F1,1,new,2026-11-20,A,t,CP001,future,NG_HH,buy,30,lots,4.1,USD,2027-01-01,2027-01-31,gasday,,,,
O1,1,new,2026-11-20,A,t,CP001,option,NG_HH,buy,100,lots,0.3,USD,2027-01-01,2027-01-31,gasday,call,4,european,2026-12-22
O2,1,new,2026-11-20,B,t,CP002,option,NG_HH,sell,80,lots,0.4,USD,2027-01-01,2027-01-31,gasday,put,4.5,european,2026-12-22
O3,1,new,2026-11-20,B,t,CP002,option,NG_HH,sell,500000,MMBtu,0.2,USD,2027-02-01,2027-02-28,gasday,call,4,european,2027-01-26
F2,1,new,2026-11-20,A,t,CP001,future,NG_HH,sell,20,lots,3.9,USD,2027-02-01,2027-02-28,gasday,,,,
C1,1,new,2026-11-20,A,t,CP003,option,CL_WTI,buy,40,lots,2,USD,2027-02-01,2027-02-28,,call,72,european,2027-01-14
C2,1,new,2026-11-20,A,t,CP003,future,CL_WTI,buy,10,lots,70,USD,2027-02-01,2027-02-28,,,,,
C3,1,new,2026-11-20,A,t,CP003,option,CL_WTI,sell,15,lots,2,USD,2027-02-01,2027-02-28,,put,69,european,2027-01-14
C3,2,cancel,2026-11-21,A,t,CP003,option,CL_WTI,sell,15,lots,2,USD,2027-02-01,2027-02-28,,put,69,european,2027-01-14
T1,1,new,2026-11-20,A,t,CP001,option,TTF,buy,5,lots,1.5,EUR,2027-03-01,2027-03-31,gasday,call,30,european,2027-02-10
T2,1,new,2026-11-20,A,t,CP001,future,TTF,sell,2,MW,31,EUR,2027-03-01,2027-03-31,gasday,,,,
X1,1,new,2026-11-20,A,t,CP001,option,NG_HH,buy,10,lots,0.1,USD,2026-12-01,2026-12-31,gasday,call,4,european,2026-11-20
CSV
}

# (priced once per test file: the book never changes; later calls copy
# the outputs and return the exit status of the first)
optbook_price() {
	local c="$BATS_FILE_TMPDIR/optbook-priced" rc=0
	if [ -f "$c/rc" ]; then
		cp "$c/val.csv" "$c/sens.csv" "$c/errors.csv" .
		return "$(cat "$c/rc")"
	fi
	qe-price -q --asof 2026-11-25 --trades trades.csv --curves curves.csv --vols vols.csv --rates rates.csv \
		--fixings fixings.csv --markets markets.csv --calendars calendars -o val.csv \
		--sensitivities sens.csv --errors errors.csv || rc=$?
	mkdir -p "$c" && cp val.csv sens.csv errors.csv "$c/" && echo "$rc" > "$c/rc"
	return "$rc"
}
