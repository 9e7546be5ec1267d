#!/usr/bin/env bats
# qe-store against a real PostgreSQL: a server of its own (initdb and
# pg_ctl on a temporary directory, a Unix socket and a localhost TCP port
# with SCRAM passwords), run as the postgres user when the tests run as
# root (PostgreSQL refuses root), stopped in teardown_file whatever
# happened.  Each test works in a database of its own.

load helpers

pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

setup_file() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	PGDIR=$(mktemp -d /tmp/qe-store-pg.XXXXXX)
	chmod 755 "$PGDIR"
	[ "$(id -u)" != 0 ] || chown postgres: "$PGDIR"
	pg_as "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync > "$PGDIR/initdb.log" 2>&1
	PGPORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# the socket: trusted; TCP on localhost: SCRAM passwords
	printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' > "$PGDIR/hba"
	[ "$(id -u)" != 0 ] || chown postgres: "$PGDIR/hba"
	pg_as cp "$PGDIR/hba" "$PGDIR/data/pg_hba.conf"
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
		-o "-k $PGDIR -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c password_encryption=scram-sha-256" \
		start > /dev/null
	export PGBIN PGDIR PGPORT PGHOST=$PGDIR PGUSER=postgres
	unset PGPASSWORD PGSERVICE
}

teardown_file() {
	[ -n "${PGDIR:-}" ] || return 0
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop > /dev/null 2>&1 || true
	rm -rf "$PGDIR"
}

setup() {
	TMP="$BATS_TEST_TMPDIR"
	cd "$TMP" || return 1
	export PGDATABASE="t$BATS_TEST_NUMBER"
	psql -qX -d postgres -c "CREATE DATABASE $PGDATABASE" > /dev/null
}

sql() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }

# the kind a bundled data file is, by its name
kind_of() {
	case $1 in
	curves) echo prices ;; vol_history) echo vol-history ;; fx) echo fx_rates ;;
	accounts) echo debtor_accounts ;; hedges) echo hedge_menu ;; weather_forecast) echo weather ;; *) echo "$1" ;;
	esac
}

@test "store: migrate creates the schema at the contract's version; again it changes nothing" {
	run_split qe-store migrate
	assert_success
	[[ "$stderr" == *"created"* ]] || fail "$stderr"
	want=$(sed -n 's/^#define FORMATS_VERSION \([0-9]*\)$/\1/p' "$QE_TOP/lib/io/formats.h")
	[ "$(sql 'SELECT version FROM qe.schema_version')" = "$want" ]
	[ "$(sql "SELECT data_type FROM information_schema.columns WHERE table_schema = 'qe' AND table_name = 'valuations' AND column_name = 'npv'")" = numeric ]
	[ "$(sql "SELECT data_type FROM information_schema.columns WHERE table_schema = 'qe' AND table_name = 'meters' AND column_name = 'timestamp'")" = "timestamp with time zone" ]
	[ "$(sql "SELECT data_type FROM information_schema.columns WHERE table_schema = 'qe' AND table_name = 'trades' AND column_name = 'trade_date'")" = date ]
	[ "$(sql "SELECT relkind FROM pg_class WHERE oid = 'qe.valuations'::regclass")" = p ]
	[ "$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = 'qe' AND indexname = 'valuations_key_idx'")" = 1 ]
	run_split qe-store migrate
	assert_success
	[[ "$stderr" == *"up to date"* ]] || fail "$stderr"
	[ "$(sql 'SELECT count(*) FROM qe.schema_version')" = 1 ]
}

@test "store: every bundled file and the outputs of qe-price and qe-settle come back byte for byte" {
	qe-store migrate -q
	n=0
	for f in "$DATA"/*.csv; do
		b=$(basename "$f" .csv)
		# not loadable: three bad LEIs on purpose; demand is no kind
		case $b in counterparties | demand) continue ;; esac
		qe-store load -q "$(kind_of "$b")" "$f" --run eod-2026-11-25
		qe-store dump -q "$(kind_of "$b")" --run eod-2026-11-25 > out.csv
		cmp "$f" out.csv || fail "$b does not come back"
		n=$((n + 1))
	done
	[ "$n" -ge 25 ]
	qe-price -q --asof 2026-11-25 --trades "$DATA/trades.csv" --curves "$DATA/curves.csv" --vols "$DATA/vols.csv" \
		--rates "$DATA/rates.csv" --markets "$DATA/markets.csv" --fixings "$DATA/fixings.csv" \
		--calendars "$DATA/calendars" -o valuations.csv --sensitivities sensitivities.csv \
		--ladder ladder.csv --errors price_errors.csv
	qe-settle flows -q --data "$DATA" --from 2026-11-01 --to 2026-11-25 -o settlement_flows.csv
	for k in valuations sensitivities ladder price_errors settlement_flows; do
		qe-store load -q "$k" "$k.csv" --run eod-2026-11-25
		[ "$(sql "SELECT rows FROM qe.loads WHERE kind = '$k'")" -eq $(($(wc -l < "$k.csv") - 1)) ]
		qe-store dump -q "$k" -o "$k.back.csv"
		cmp "$k.csv" "$k.back.csv"
	done
	# sensitivities hold numbers that numeric does not print back (1e-09)
	[ "$(sql "SELECT count(*) FROM qe.sensitivities WHERE gamma__text IS NOT NULL")" -gt 0 ]
}

@test "store: typed columns hold the values; odd spellings come back as written" {
	qe-store migrate -q
	{
		echo trade_id,book,instrument,curve,currency,npv,undiscounted,delta,gamma,vega,theta,model
		echo T1,B,future,NG_HH,USD,1.50,-0,1e-05,0.000012,2.5E+3,+7,future
		echo T2,B,option,TTF,eur,-1234567.890123456789,007,0,-0.0,1.7976931348623157e308,.5,black76
		echo 'T3,"B,x",swap,TTF,EUR,3,3,3,3,3,3,swap'
	} > v.csv
	qe-store load -q valuations v.csv --run r1 --asof 2026-11-25
	qe-store dump -q valuations --run r1 > back.csv
	cmp v.csv back.csv
	# the numeric values against Python's decimal reading of the texts
	sql "SELECT npv, undiscounted, delta, gamma, vega, theta FROM qe.valuations ORDER BY qe_row" > typed.txt
	/usr/bin/python3 - v.csv typed.txt <<'PY'
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
typed = [l.rstrip("\n").split("|") for l in open(sys.argv[2])]
assert len(rows) == len(typed) == 3, typed
for r, t in zip(rows, typed):
    for c, v in zip(["npv", "undiscounted", "delta", "gamma", "vega", "theta"], t):
        want = Decimal(r[c])
        # a text numeric cannot take exactly is stored as its shortest double
        assert Decimal(v) == want or Decimal(v) == Decimal(repr(float(want))), (c, r[c], v)
PY
	# meters: timestamptz is the instant; the offset comes back from the text
	head -4 "$DATA/meters.csv" > m.csv
	qe-store load -q meters m.csv --run r1 --asof 2026-11-25
	sql "SELECT extract(epoch FROM \"timestamp\")::bigint FROM qe.meters ORDER BY qe_row" > epochs.txt
	/usr/bin/python3 -c '
import csv, sys, datetime
want = [int(datetime.datetime.fromisoformat(r["timestamp"]).timestamp()) for r in csv.DictReader(open("m.csv"))]
got = [int(l) for l in open("epochs.txt")]
assert want == got, (want, got)'
	qe-store dump -q meters | cmp m.csv -
	# a file from stdin, and one with no row
	qe-store load -q valuations - --run r2 --asof 2026-11-26 < v.csv
	qe-store dump -q valuations --run r2 | cmp v.csv -
	head -1 v.csv > empty.csv
	qe-store load -q valuations empty.csv --run r3 --asof 2026-11-27
	qe-store dump -q valuations --run r3 | cmp empty.csv -
}

@test "store: loading a run again replaces its rows; dump picks a run, an as-of date or the latest" {
	qe-store migrate -q
	head -6 "$DATA/fixings.csv" > five.csv
	head -3 "$DATA/fixings.csv" > two.csv
	qe-store load -q fixings five.csv --run eod-2026-11-24
	qe-store load -q fixings five.csv --run eod-2026-11-24
	[ "$(sql "SELECT count(*) FROM qe.fixings WHERE qe_run = 'eod-2026-11-24'")" = 5 ]
	qe-store load -q fixings two.csv --run eod-2026-11-24
	[ "$(sql "SELECT count(*) FROM qe.fixings")" = 2 ]
	[ "$(sql "SELECT count(*) FROM qe.loads")" = 1 ]
	qe-store load -q fixings five.csv --run eod-2026-11-25
	[ "$(sql "SELECT asof FROM qe.loads WHERE run_id = 'eod-2026-11-25'")" = 2026-11-25 ]
	qe-store dump -q fixings | cmp five.csv -
	qe-store dump -q fixings --asof 2026-11-24 | cmp two.csv -
	qe-store dump -q fixings --run eod-2026-11-24 | cmp two.csv -
	run_split qe-store dump fixings --run nope
	[ "$status" -eq 3 ]
	[[ "$stderr" == "qe-store: dump fixings: no run 'nope' in the store" ]] || fail "$stderr"
	# no date in the run id and no asof column: --asof is needed
	run_split qe-store load fixings two.csv --run adhoc
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"give --asof"* ]] || fail "$stderr"
	run_split qe-store dump fixings --run a --asof 2026-11-24
	[ "$status" -eq 2 ]
	run_split qe-store load nosuchkind two.csv --run r
	[ "$status" -eq 2 ]
	run_split qe-store dump fixings -o /dev/full
	[ "$status" -eq 4 ]
}

@test "store: a file that fails the contract is refused with its line and column; the database is unchanged" {
	qe-store migrate -q
	head -6 "$DATA/fixings.csv" > good.csv
	qe-store load -q fixings good.csv --run eod-2026-11-25
	sed '4s/,[^,]*$/,12x/' good.csv > bad.csv
	run_split qe-store load fixings bad.csv --run eod-2026-11-25
	[ "$status" -eq 3 ]
	[[ "$stderr" == "qe-store: bad.csv:4:3: column 'price': not a number '12x'" ]] || fail "$stderr"
	qe-store dump -q fixings --run eod-2026-11-25 | cmp good.csv -
	[ "$(sql "SELECT count(*) FROM qe.fixings")" = 5 ]
	# a bundled file with three invalid LEIs, as a new run: nothing of it stays
	run_split qe-store load counterparties "$DATA/counterparties.csv" --run eod-2026-11-25
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"counterparties.csv:9:3: column 'lei': invalid LEI"* ]] || fail "$stderr"
	[ "$(sql "SELECT count(*) FROM qe.counterparties")" = 0 ]
	[ "$(sql "SELECT count(*) FROM qe.loads WHERE kind = 'counterparties'")" = 0 ]
	# a missing required column
	cut -d, -f1,2 good.csv > nocol.csv
	run_split qe-store load fixings nocol.csv --run eod-2026-11-25
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"missing required column 'price'"* ]] || fail "$stderr"
}

@test "store: a connection dropped mid-load is an error and the database is unchanged" {
	qe-store migrate -q
	head -6 "$DATA/fixings.csv" > good.csv
	qe-store load -q fixings good.csv --run eod-2026-11-25
	/usr/bin/python3 -c '
import sys
w = sys.stdout.write
w("curve,date,price\n")
for i in range(1500000):
    w("NG_HH,%04d-%02d-%02d,%d.%03d\n" % (2000 + i // 336 % 99, 1 + i // 28 % 12, 1 + i % 28, i % 97, i % 1000))
' > big.csv
	qe-store load fixings big.csv --run eod-2026-11-25 2> load.err &
	pid=$!
	killed=
	for i in $(seq 600); do
		killed=$(sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'qe-store' AND query LIKE 'COPY%'")
		[ -n "$killed" ] && break
		sleep 0.05
	done
	rc=0
	wait "$pid" || rc=$?
	[ "$killed" = t ] || fail "the load was not caught in COPY (exit $rc)"
	[ "$rc" -eq 4 ] || fail "exit $rc: $(cat load.err)"
	grep -q "^qe-store: load: .*terminat" load.err || fail "$(cat load.err)"
	[ "$(sql "SELECT count(*) FROM qe.fixings")" = 5 ]
	[ "$(sql "SELECT rows FROM qe.loads WHERE run_id = 'eod-2026-11-25'")" = 5 ]
	qe-store dump -q fixings | cmp good.csv -
	# the server gone altogether: a clear error too
	run_split qe-store dump fixings -d "host=$PGDIR port=1"
	[ "$status" -eq 4 ]
	[[ "$stderr" == "qe-store: cannot connect: "* ]] || fail "$stderr"
}

@test "store: a wrong password is a clear error; the password comes from PGPASSFILE, never the command line" {
	qe-store migrate -q
	sql "CREATE ROLE qe_pw$BATS_TEST_NUMBER LOGIN PASSWORD 'right-pw'; GRANT USAGE ON SCHEMA qe TO qe_pw$BATS_TEST_NUMBER; GRANT SELECT ON ALL TABLES IN SCHEMA qe TO qe_pw$BATS_TEST_NUMBER"
	tcp="host=127.0.0.1 port=$PGPORT user=qe_pw$BATS_TEST_NUMBER dbname=$PGDATABASE"
	echo "127.0.0.1:$PGPORT:*:qe_pw$BATS_TEST_NUMBER:wrong-pw" > pass
	chmod 600 pass
	PGPASSFILE=$PWD/pass run_split qe-store dump fixings -d "$tcp"
	[ "$status" -eq 4 ]
	[[ "$stderr" == "qe-store: cannot connect: "*"password authentication failed for user \"qe_pw$BATS_TEST_NUMBER\""* ]] || fail "$stderr"
	echo "127.0.0.1:$PGPORT:*:qe_pw$BATS_TEST_NUMBER:right-pw" > pass
	PGPASSFILE=$PWD/pass run_split qe-store dump fixings -d "$tcp"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "qe-store: dump fixings: nothing loaded yet" ]] || fail "$stderr"
	run_split qe-store dump fixings -d "$tcp password=right-pw"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"holds a password: put it in ~/.pgpass or PGPASSFILE"* ]] || fail "$stderr"
	run_split qe-store dump fixings --password x
	[ "$status" -eq 2 ]
}

@test "store: a loading role without DDL rights loads after migrate; a reading role only reads" {
	ld=qe_ld$BATS_TEST_NUMBER rd=qe_rd$BATS_TEST_NUMBER
	sql "CREATE ROLE $ld LOGIN; CREATE ROLE $rd LOGIN"
	qe-store migrate -q --loader "$ld" --reader "$rd"
	head -6 "$DATA/fixings.csv" > f.csv
	# a month with no partition yet: made through ensure_partition
	qe-store load -q valuations /dev/stdin --run r1 --asof 2031-07-04 -d "user=$ld" <<'EOF2'
trade_id,book,instrument,curve,currency,npv,undiscounted,delta,gamma,vega,theta,model
T1,B,future,NG_HH,USD,1,1,1,0,0,0,future
EOF2
	[ "$(sql "SELECT count(*) FROM qe.valuations_2031_07")" = 1 ]
	PGUSER=$ld qe-store load -q fixings f.csv --run eod-2026-11-25
	PGUSER=$rd qe-store dump -q fixings | cmp f.csv -
	run psql -qXAt -U "$ld" -c "CREATE TABLE qe.mine (a int)"
	[ "$status" -ne 0 ]
	[[ "$output" == *"permission denied for schema qe"* ]] || fail "$output"
	run psql -qXAt -U "$ld" -c "DROP TABLE qe.fixings"
	[ "$status" -ne 0 ]
	run psql -qXAt -U "$ld" -c "SELECT qe.ensure_partition('fixings', '2030-01-01')"
	[[ "$output" == *"not a partitioned kind"* ]] || fail "$output"
	PGUSER=$rd run_split qe-store load fixings f.csv --run eod-2026-11-26
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"permission denied"* ]] || fail "$stderr"
}

@test "store: a database at an older schema version must be migrated, and migrate upgrades it" {
	qe-store migrate -q
	sql "UPDATE qe.schema_version SET version = 5; ALTER TABLE qe.counterparties DROP COLUMN iban"
	head -3 "$DATA/fixings.csv" > f.csv
	run_split qe-store load fixings f.csv --run eod-2026-11-25
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"schema is version 5"*"run qe-store migrate"* ]] || fail "$stderr"
	run_split qe-store migrate
	assert_success
	[[ "$stderr" == *"upgraded from 5"* ]] || fail "$stderr"
	[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'qe' AND table_name = 'counterparties' AND column_name = 'iban'")" = 1 ]
	qe-store load -q fixings f.csv --run eod-2026-11-25
	sql "UPDATE qe.schema_version SET version = 99"
	run_split qe-store migrate
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"newer than this qe-store"* ]] || fail "$stderr"
}

@test "store: make eod loads the day's results only when QE_PG is set" {
	cp -r "$QE_TOP/pipelines" "$QE_TOP/data" .
	day=out/eod/2026-11-25
	# what make eod would run, as a set of lines (make -n lists the steps
	# in the order the Make files are read), content stamps aside: make -n
	# runs the stamps it lists (ops.sh stamp is a '+' rule), so a plan lists
	# those the plans before it did not write
	plan() { make -n -f pipelines/eod.mk QE_BIN="$QE_BIN" "$@" 2> plan.err || fail "make -n: $(cat plan.err)"; }
	cmds() { grep -v '^/bin/sh pipelines/ops.sh stamp ' "$1" | sort; }
	plan > with.txt
	mv pipelines/store.mk store.mk.off
	plan > without.txt
	mv store.mk.off pipelines/store.mk
	# without QE_PG store.mk adds nothing to run: no qe-store, nothing in
	# store/, the same commands
	if grep 'qe-store\|/store/' with.txt; then fail "store.mk runs something without QE_PG"; fi
	diff <(cmds without.txt) <(cmds with.txt)

	# with QE_PG: one qe-store load per pair kind:file of the loop, as the
	# day's run, once the manifest is written; and make's own list of the
	# files the run writes ($(info) prints it as make -n expands the recipe)
	plan QE_PG="dbname=$PGDATABASE" \
		--eval 'qe-test-outputs: ; $(info qe-test-outputs: $(EOD_OUTPUTS) $(OUT)/manifest.csv)' eod qe-test-outputs > pg.txt
	load=$(grep -n 'qe-store load -q -d "$QE_PG" $k $f --run eod-2026-11-25 --asof 2026-11-25' pg.txt | cut -d: -f1)
	[ -n "$load" ] || fail "no qe-store load in: $(cat pg.txt)"
	[ "$(grep -c 'qe-store load' pg.txt)" -eq 1 ]
	[ "$(grep -n 'ops.sh finish ok' pg.txt | cut -d: -f1)" -lt "$load" ]
	sed -n 's/.*for p in \(.*\); do .*/\1/p' pg.txt | tr ' ' '\n' | sed '/^$/d' | sort > pairs
	# the results of the day the issue names, each as the kind qe-store
	# keeps it; and no other
	sort > want <<EOF
trades:$day/ingest/trades.csv
prices:$day/ingest/curves.csv
vols:$day/ingest/vols.csv
history:$day/ingest/history.csv
valuations:$day/price/valuations.csv
sensitivities:$day/price/sensitivities.csv
ladder:$day/price/ladder.csv
price_errors:$day/price/errors.csv
var:$day/var/var.csv
var_components:$day/var/components.csv
cov:$day/var/cov.csv
var_series:$day/var/series.csv
backtest:$day/var/backtest.csv
breaches:$day/screen/breaches.csv
settlement_flows:$day/settle/flows.csv
settlement_payments:$day/settle/payments.csv
invoices:$day/settle/invoices.csv
manifest:$day/manifest.csv
EOF
	diff want pairs
	# each file is one the run writes
	sed -n 's/^qe-test-outputs: //p' pg.txt | tr ' ' '\n' | sort -u > outputs
	[ "$(wc -l < outputs)" -gt 50 ]
	cut -d: -f2 pairs | sort -u | comm -23 - outputs > unwritten
	[ ! -s unwritten ] || fail "loaded but not written by the run: $(cat unwritten)"
	# each kind is a table of qe-store (an unknown kind would be exit 2)
	qe-store migrate -q
	for k in $(cut -d: -f1 pairs); do
		run_split qe-store dump "$k"
		[ "$status" -eq 3 ] && [[ "$stderr" == "qe-store: dump $k: nothing loaded yet" ]] || fail "$k: $stderr"
	done
}
