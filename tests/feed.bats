#!/usr/bin/env bats
# qe-feed against a real mosquitto broker started here (a free localhost
# port, a generated config with persistence in the test's directory):
# 100,000 readings from four publishers across a subscriber restart and
# two broker restarts arrive exactly once (checked in Python against what
# was published) and every file passes qe-ingest meters; bad payloads,
# late readings, SIGTERM, TLS (a CA and server certificate made with
# openssl here) and the credentials file.

load helpers

free_port() {
	"$PYORACLE" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# broker_conf PORT [EXTRA LINES]: a config with persistence in $TMP/db.
broker_conf() {
	mkdir -p "$TMP/db"
	# user: as root, mosquitto would switch to its own user, which cannot
	# write the test's directory nor read its key
	printf 'user %s\nlistener %s 127.0.0.1\npersistence true\npersistence_location %s/db/\nmax_queued_messages 0\n' \
		"$(id -un)" "$1" "$TMP" > "$TMP/broker.conf"
	shift
	for l in "$@"; do printf '%s\n' "$l" >> "$TMP/broker.conf"; done
	grep -q allow_anonymous "$TMP/broker.conf" || echo 'allow_anonymous true' >> "$TMP/broker.conf"
}

# start_broker: runs mosquitto on $TMP/broker.conf; waits for its port.
start_broker() {
	mosquitto -c "$TMP/broker.conf" >> "$TMP/broker.log" 2>&1 3>&- &
	broker_pid=$!
	echo "$broker_pid" >> "$TMP/pids"
	local i
	for i in $(seq 100); do
		grep -q "Opening ipv4 listen socket on port $PORT" "$TMP/broker.log" 2>/dev/null &&
			[ "$(grep -c "Opening ipv4 listen socket on port $PORT" "$TMP/broker.log")" -ge "$starts" ] &&
			return 0
		sleep 0.05
	done
	fail "mosquitto did not start: $(cat "$TMP/broker.log")"
}

# stop_broker: SIGTERM (the broker saves its persistence file) and wait.
stop_broker() {
	kill -TERM "$broker_pid"
	wait "$broker_pid" || true
}

# start_feed ARGS: qe-feed in the background, pid in $feed_pid; returns
# once its subscription is live (the broker has sent SUBACK).
start_feed() {
	local before i
	before=$(grep -c 'subscribed to' "$TMP/feed.err" 2>/dev/null || true)
	qe-feed -d "$TMP/out" --port "$PORT" "$@" 2>> "$TMP/feed.err" 3>&- &
	feed_pid=$!
	echo "$feed_pid" >> "$TMP/pids"
	for i in $(seq 200); do
		[ "$(grep -c 'subscribed to' "$TMP/feed.err")" -gt "${before:-0}" ] && return 0
		sleep 0.05
	done
	fail "qe-feed did not subscribe: $(cat "$TMP/feed.err")"
}

stop_feed() {
	kill -TERM "$feed_pid"
	local rc=0
	wait "$feed_pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "qe-feed exited $rc: $(cat "$TMP/feed.err")"
}

# rows_in GLOB: data rows of the files (headers not counted).
rows_in() {
	# shellcheck disable=SC2086
	set -- $1
	[ -f "$1" ] || { echo 0; return; }
	echo $(($(cat "$@" | wc -l) - $#))
}

# wait_rows GLOB N: until the files hold N rows (up to 60 s).
wait_rows() {
	local i
	for i in $(seq 600); do
		[ "$(rows_in "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "expected $2 rows in $1, found $(rows_in "$1"); $(cat "$TMP/feed.err")"
}

setup() {
	TMP="$BATS_TEST_TMPDIR"
	cd "$TMP" || return 1
	mkdir -p out
	PORT=$(free_port)
	starts=1
	: > pids
}

teardown() {
	local p
	while read -r p; do kill -9 "$p" 2>/dev/null || true; done < "$TMP/pids"
}

@test "feed: 100,000 readings from 4 publishers, a subscriber restart and two broker restarts arrive exactly once" {
	broker_conf "$PORT"
	start_broker
	# 1000 meters x 100 quarter-hours ending before this hour, in four
	# shards (one a publisher) and three phases; one reading in ten as JSON,
	# 5,000 published twice
	"$PYORACLE" - <<'EOF'
import json, random, time
random.seed(19)
t0 = (int(time.time()) // 3600 - 30) * 3600
rows = []
for m in range(1000):
    for k in range(100):
        t = t0 + 900 * k
        ts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))
        rows.append((f"MTR_{m:04d}", ts, round(random.uniform(0, 50), 3)))
random.shuffle(rows)
with open("expected.csv", "w") as f:
    for r in rows:
        f.write(f"{r[0]},{r[1]},15,{r[2]!r},kWh,A\n")
def payload(r):
    if random.random() < 0.1:
        return json.dumps({"meter_id": r[0], "timestamp": r[1], "interval_min": 15,
                           "energy": r[2], "unit": "kWh", "quality": "A"})
    return f"{r[0]},{r[1]},15,{r[2]!r},kWh,A"
bounds = {"a": (0, 40000), "b": (40000, 70000), "c": (70000, 85000), "d": (85000, 100000)}
for phase, (lo, hi) in bounds.items():
    part = rows[lo:hi] + (random.sample(rows[:lo], 5000) if phase == "d" else [])
    for s in range(4):
        with open(f"pub-{phase}{s}.txt", "w") as f:
            for r in part[s::4]:
                f.write(payload(r) + "\n")
EOF
	publish() {
		local s pids=""
		for s in 0 1 2 3; do
			mosquitto_pub -p "$PORT" -q 1 -t "meters/site$s/readings" -i "pub-$1$s" -l < "pub-$1$s.txt" 3>&- &
			pids="$pids $!"
		done
		for s in $pids; do wait "$s" || fail "publisher of phase $1 failed"; done
	}
	start_feed --client-id feed-test --grace 1000000
	publish a
	wait_rows 'out/meters-*.csv' 40000
	stop_feed                       # flushes, exits 0
	publish b                       # queued by the broker for the session
	stop_broker && starts=2 && start_broker   # the queue survives in its db
	start_feed --client-id feed-test --grace 1000000   # keys from the files
	publish c
	stop_broker && starts=3 && start_broker   # qe-feed reconnects with backoff
	publish d
	wait_rows 'out/meters-*.csv' 100000
	sleep 1.5                       # anything more would be a duplicate
	stop_feed
	grep -q 'reconnecting' feed.err || fail "no reconnect seen: $(cat feed.err)"

	run "$PYORACLE" - <<'EOF'
import csv, glob, collections
want = {}
for line in open("expected.csv"):
    m, ts, iv, e, u, q = line.strip().split(",")
    want[(m, ts)] = float(e)
got = collections.Counter()
bad = 0
for path in glob.glob("out/meters-*.csv"):
    rows = list(csv.DictReader(open(path)))
    keys = [(r["meter_id"], r["timestamp"]) for r in rows]
    assert keys == sorted(keys), path + " not sorted by meter, time"
    for r in rows:
        k = (r["meter_id"], r["timestamp"])
        got[k] += 1
        if abs(float(r["energy"]) - want.get(k, -1)) > 1e-12: bad += 1
dup = sum(1 for c in got.values() if c > 1)
print(len(want), len(got), sum(got.values()), dup, bad, len(set(want) - set(got)))
EOF
	assert_success
	assert_output "100000 100000 100000 0 0 0"
	[ -z "$(ls out | grep -v '^meters-')" ] || fail "unexpected files: $(ls out)"
	for f in out/meters-*.csv; do
		qe-ingest meters "$f" --tz UTC --period 60 --rejects rej.csv -o periods.csv 2> ingest.err ||
			fail "qe-ingest meters $f: $(cat ingest.err)"
		[ "$(wc -l < rej.csv)" -le 1 ] || fail "$f: rejects $(cat rej.csv)"
	done
	[ "$(ls out/meters-*.csv | wc -l)" -eq 25 ]
}

@test "feed: bad payloads land in the rejects file with the reason; good rows of a payload are kept" {
	broker_conf "$PORT"
	start_broker
	start_feed --client-id feed-bad --grace 1000000
	h=$(date -u -d '-2 hours' +%Y-%m-%dT%H:00:00+00:00)
	pub() { mosquitto_pub -p "$PORT" -q 1 -t meters/m1/readings -m "$1"; }
	pub "$(printf 'MTR_A,%s,15,1.5,kWh,A\nMTR_A,%s,15,-x,kWh,A\r\nMTR_B,%s,15,2,m3,E' "$h" "$h" "$h")"
	pub "MTR_C,$h,15,1,MWh,A"
	pub "MTR_C,$h,45,1,kWh,A"
	pub "MTR_C,${h/:00:00/:07:00},15,1,kWh,A"
	pub '{"meter_id": "MTR_D", "timestamp": "'"$h"'", "interval_min": 15, "energy": 3, "unit": "kWh", "colour": "red"}'
	pub '{"meter_id": "MTR_D", "timestamp": "'"$h"'", "interval_min": 15, "energy": 3, "unit": "kWh"'
	pub "$(printf 'bin\001ary\377')"
	mosquitto_pub -p "$PORT" -q 1 -t meters/m1/readings -n
	pub '{"meter_id": "MTR_E", "timestamp": "'"$h"'", "interval_min": 15, "energy": null, "unit": "kWh", "quality": "M"}'
	wait_rows 'out/rejects-*.csv' 8
	stop_feed
	run "$PYORACLE" - <<'EOF'
import csv, glob
[path] = glob.glob("out/rejects-*.csv")
for r in csv.DictReader(open(path)):
    print(r["topic"], r["line"], r["column"], r["value"], "|", r["reason"])
for path in sorted(glob.glob("out/meters-*.csv")):
    for r in csv.DictReader(open(path)):
        print(r["meter_id"], r["energy"], r["unit"], r["quality"])
EOF
	assert_success
	assert_line --index 0 "meters/m1/readings 2 energy -x | not a number"
	assert_line --index 1 "meters/m1/readings 1 unit MWh | unknown unit (expected kWh|m3)"
	assert_line --index 2 --partial "1 interval_min 45 | unsupported interval"
	assert_line --index 3 "meters/m1/readings 1 timestamp ${h/:00:00/:07:00} | start not on a multiple of its 15-minute interval"
	assert_line --index 4 --partial "colour | unknown key"
	assert_line --index 5 --partial "| expected ',' or '}' in a JSON object"
	assert_line --index 6 --partial "| expected 6 fields"
	assert_line --index 7 --partial "| empty payload"
	assert_line --index 8 "MTR_A 1.5 kWh A"
	assert_line --index 9 "MTR_B 2 m3 E"
	assert_line --index 10 "MTR_E  kWh M"
	# the binary payload is kept, escaped, as one line of valid UTF-8
	grep -q 'bin\\x01ary\\xff' out/rejects-*.csv
	grep -q '8 rejected' feed.err
}

@test "feed: late readings go to the late file; duplicates are dropped, also after a restart" {
	broker_conf "$PORT"
	start_broker
	old=$(date -u -d '-3 hours' +%Y-%m-%dT%H:15:00+00:00)
	cur=$(date -u +%Y-%m-%dT%H:00:00+00:00)
	start_feed --client-id feed-late --grace 60
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_L,$old,15,4.25,kWh,A"
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_L,$old,15,4.25,kWh,A"
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_L,$cur,15,1,kWh,A"
	wait_rows 'out/meters-*.csv' 1
	wait_rows 'out/late-*.csv' 1
	stop_feed
	grep -q '3 readings: 1 written, 1 duplicates, 1 late' feed.err || fail "$(cat feed.err)"
	start_feed --client-id feed-late --grace 60
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_L,$old,15,4.25,kWh,A"
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_L,$cur,15,1,kWh,A"
	mosquitto_pub -p "$PORT" -q 1 -t meters/m/readings -m "MTR_M,$cur,15,2,kWh,A"
	wait_rows 'out/meters-*.csv' 2
	stop_feed
	grep -q '3 readings: 1 written, 2 duplicates, 0 late' feed.err || fail "$(cat feed.err)"
	late=$(date -u -d '-3 hours' +late-%Y%m%dT%H00Z.csv)
	assert_file_exist "out/$late"
	[ "$(rows_in "out/$late")" -eq 1 ]
	[ "$(rows_in 'out/meters-*.csv')" -eq 2 ]
	qe-ingest meters "out/$late" --tz UTC -o /dev/null
}

@test "feed: readings published while qe-feed is away are queued by the broker and delivered once" {
	broker_conf "$PORT"
	start_broker
	start_feed --client-id feed-away --grace 1000000
	stop_feed
	h=$(date -u -d '-1 hours' +%s)
	"$PYORACLE" -c "
import time
for m in range(200):
    for k in range(4):
        print(f'MTR_{m:03d},{time.strftime(\"%Y-%m-%dT%H:%M:%SZ\", time.gmtime($h // 3600 * 3600 + 900 * k))},15,{m}.5,kWh,A')
" > away
	mosquitto_pub -p "$PORT" -q 1 -t meters/w/readings -l < away
	start_feed --client-id feed-away --grace 1000000
	wait_rows 'out/meters-*.csv' 800
	sleep 1
	stop_feed
	grep -q '800 messages, 800 readings: 800 written, 0 duplicates' feed.err || fail "$(cat feed.err)"
}

@test "feed: SIGTERM writes the readings held in memory and exits 0" {
	broker_conf "$PORT"
	start_broker
	start_feed --client-id feed-term --flush-interval 3600 --grace 1000000
	h=$(date -u -d '-1 hours' +%Y-%m-%dT%H:00:00+00:00)
	for i in $(seq 1 50); do printf 'MTR_%03d,%s,60,%d.5,kWh,A\n' "$i" "$h" "$i"; done > lines
	mosquitto_pub -p "$PORT" -q 1 -t meters/t/readings -l < lines
	sleep 1
	[ "$(rows_in 'out/meters-*.csv')" -eq 0 ]   # nothing written before the flush
	stop_feed
	[ "$(rows_in 'out/meters-*.csv')" -eq 50 ]
	[ -z "$(temps_in out)" ]
}

@test "feed: TLS with a CA and server certificate made by openssl; a wrong CA is a clear error" {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=qe test CA' \
		-keyout ca.key -out ca.crt 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout srv.key -out srv.csr 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
		-extfile san.ext -out srv.crt 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=other CA' \
		-keyout other.key -out other.crt 2>/dev/null
	broker_conf "$PORT" "cafile $TMP/ca.crt" "certfile $TMP/srv.crt" "keyfile $TMP/srv.key"
	start_broker
	start_feed --client-id feed-tls --cafile ca.crt --grace 1000000
	h=$(date -u +%Y-%m-%dT%H:00:00+00:00)
	mosquitto_pub -p "$PORT" --cafile ca.crt -h localhost -q 1 -t meters/s/readings -m "MTR_T,$h,60,7,kWh,A"
	wait_rows 'out/meters-*.csv' 1
	stop_feed
	run qe-feed -q -d out --port "$PORT" --client-id feed-tls2 --cafile other.crt
	[ "$status" -eq 4 ]
	assert_output --partial "TLS"
}

@test "feed: a credentials file logs in; a wrong password is a clear error; an open file is refused" {
	printf 'meter\nS3cret pass\n' > creds && chmod 600 creds
	mosquitto_passwd -b -c passwd meter 'S3cret pass'
	broker_conf "$PORT" "allow_anonymous false" "password_file $TMP/passwd"
	start_broker
	start_feed --client-id feed-auth --credentials creds --grace 1000000
	h=$(date -u +%Y-%m-%dT%H:00:00+00:00)
	mosquitto_pub -p "$PORT" -u meter -P 'S3cret pass' -q 1 -t meters/c/readings -m "MTR_C,$h,60,1,kWh,A"
	wait_rows 'out/meters-*.csv' 1
	stop_feed
	printf 'meter\nwrong\n' > bad && chmod 600 bad
	run qe-feed -q -d out --port "$PORT" --client-id feed-auth2 --credentials bad
	[ "$status" -eq 4 ]
	assert_output --regexp "^qe-feed: broker refused the connection: .*(password|authori[sz]ed)"
	chmod 644 bad
	run qe-feed -q -d out --port "$PORT" --credentials bad
	[ "$status" -eq 2 ]
	assert_output --partial "readable by group or others"
}

@test "feed: bad options and a missing directory" {
	run qe-feed --port 1
	[ "$status" -eq 2 ]
	assert_output --partial "-d DIR"
	run qe-feed -d out --period 45
	[ "$status" -eq 2 ]
	run qe-feed -d out --topic 'meters/#/x'
	[ "$status" -eq 2 ]
	assert_output --partial "not a valid topic filter"
	run qe-feed -d no/such/dir
	[ "$status" -eq 4 ]
	assert_output --partial "no/such/dir: No such file or directory"
}
