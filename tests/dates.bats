#!/usr/bin/env bats
# lib/tz and lib/period against an independent implementation: Python's
# zoneinfo (same system tzdata, different code) and brute-force hour loops
# written here.  The C side is driven through the unit-test binary
# test_dates in "drive" mode (it reads queries on stdin).

load helpers

drive() {
	"${QE_UNIT_DIR:-$QE_TOP/build/tests}/test_dates" drive
}

@test "dates: UTC -> local for every hour of 2026 matches zoneinfo (Berlin, New York, Chicago)" {
	$PYORACLE - > queries <<'PY'
import datetime as dt
t0 = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp())
for z in ("Europe/Berlin", "America/New_York", "America/Chicago"):
    for h in range(-24, 8761 + 24):
        print("u2l", z, t0 + 3600 * h)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo
bad = 0
for q, a in zip(open("queries"), open("answers")):
    _, z, u = q.split(); u = int(u)
    local, off = map(int, a.split())
    t = dt.datetime.fromtimestamp(u, zoneinfo.ZoneInfo(z))
    want_off = int(t.utcoffset().total_seconds())
    want_local = int(t.replace(tzinfo=dt.timezone.utc).timestamp())
    if (local, off) != (want_local, want_off):
        bad += 1
        if bad < 5: print("mismatch", z, u, local, off, want_local, want_off)
n = sum(1 for _ in open("queries"))
print("checked", n, "bad", bad)
assert n == 3 * 8809 and bad == 0
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: local -> UTC for every half hour of 2026 and 2040, gaps and overlaps, matches zoneinfo" {
	$PYORACLE - > queries <<'PY'
import datetime as dt
for y in (2026, 2040):
    l0 = int(dt.datetime(y, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    for z in ("Europe/Berlin", "America/New_York", "America/Chicago"):
        for k in range(0, 2 * 8760):
            print("l2u", z, l0 + 1800 * k)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo
bad = gaps = laps = 0
for q, a in zip(open("queries"), open("answers")):
    _, z, l = q.split(); l = int(l)
    n, c0, c1, early, late = map(int, a.split())
    zi = zoneinfo.ZoneInfo(z)
    naive = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=l)
    inst = []
    for fold in (0, 1):
        u = int(naive.replace(tzinfo=zi, fold=fold).timestamp())
        back = dt.datetime.fromtimestamp(u, zi).replace(tzinfo=None)
        if back == naive and u not in inst:
            inst.append(u)
    inst.sort()
    f0 = int(naive.replace(tzinfo=zi, fold=0).timestamp())
    f1 = int(naive.replace(tzinfo=zi, fold=1).timestamp())
    got = [c0, c1][:n]
    gaps += len(inst) == 0; laps += len(inst) == 2
    if got != inst or early != f0 or late != f1:
        bad += 1
        if bad < 5: print("mismatch", z, naive, got, inst, early, f0, late, f1)
print("gaps", gaps, "overlaps", laps, "bad", bad)
# each zone-year has one spring gap (2 half hours) and one autumn overlap (2 half hours)
assert bad == 0 and gaps == 12 and laps == 12
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: UTC -> local 2036-2100 and 2195-2260 (past the zone files' last transition) matches zoneinfo" {
	$PYORACLE - > queries <<'PY'
import datetime as dt
t0 = int(dt.datetime(2036, 1, 1, tzinfo=dt.timezone.utc).timestamp())
t1 = int(dt.datetime(2195, 1, 1, tzinfo=dt.timezone.utc).timestamp())
for z in ("Europe/Berlin", "America/New_York", "Australia/Sydney"):
    for h in range(0, 65 * 8766, 13):
        print("u2l", z, t0 + 3600 * h)
    for h in range(0, 65 * 8766, 29):
        print("u2l", z, t1 + 3600 * h)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo
bad = 0
for q, a in zip(open("queries"), open("answers")):
    _, z, u = q.split(); u = int(u)
    t = dt.datetime.fromtimestamp(u, zoneinfo.ZoneInfo(z))
    want = (int(t.replace(tzinfo=dt.timezone.utc).timestamp()), int(t.utcoffset().total_seconds()))
    if tuple(map(int, a.split())) != want:
        bad += 1
        if bad < 5: print("mismatch", z, u, a.strip(), want)
print("bad", bad)
assert bad == 0
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: NERC 5x16/2x16/7x8/7x24 hours per month 2026-2027 match a brute-force count" {
	$PYORACLE - > queries <<'PY'
import calendar
for z in ("America/New_York", "America/Chicago"):
    for y in (2026, 2027):
        for m in range(1, 13):
            last = calendar.monthrange(y, m)[1]
            for s in ("5x16", "2x16", "7x8", "7x24"):
                print("shape", s, z, f"{y}-{m:02d}-01", f"{y}-{m:02d}-{last:02d}", 60)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo

def nerc_holidays(y):
    # written independently of lib/calendar.c from the NERC definition
    def nth(m, wd, n):
        d = dt.date(y, m, 1)
        while d.weekday() != wd: d += dt.timedelta(1)
        return d + dt.timedelta(7 * (n - 1))
    def last_monday(m):
        d = dt.date(y, m + 1, 1) - dt.timedelta(1)
        while d.weekday() != 0: d -= dt.timedelta(1)
        return d
    fixed = [dt.date(y, 1, 1), dt.date(y, 7, 4), dt.date(y, 12, 25)]
    fixed = [d + dt.timedelta(1) if d.weekday() == 6 else d for d in fixed]
    return set(fixed + [last_monday(5), nth(9, 0, 1), nth(11, 3, 4)])

bad = 0
for q, a in zip(open("queries"), open("answers")):
    _, s, z, d1, d2, _ = q.split()
    zi = zoneinfo.ZoneInfo(z)
    start = dt.datetime.fromisoformat(d1).replace(tzinfo=zi)
    end = (dt.datetime.fromisoformat(d2) + dt.timedelta(days=1)).replace(tzinfo=zi)
    u, ue = int(start.timestamp()), int(end.timestamp())
    hol = nerc_holidays(start.year)
    n = 0
    while u < ue:
        t = dt.datetime.fromtimestamp(u, zi)
        on = 6 <= t.hour < 22
        wk = t.weekday() < 5 and t.date() not in hol
        n += {"5x16": on and wk, "2x16": on and not wk, "7x8": not on, "7x24": True}[s]
        u += 3600
    if n != int(a):
        bad += 1
        print("mismatch", s, z, d1, int(a), n)
print("bad", bad)
assert bad == 0
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: EEX base/peak/offpeak hours and quarters per month 2026-2027 match a brute-force count" {
	$PYORACLE - > queries <<'PY'
import calendar
for z in ("Europe/Berlin", "Europe/Amsterdam"):
    for y in (2026, 2027):
        for m in range(1, 13):
            last = calendar.monthrange(y, m)[1]
            for s in ("base", "peak", "offpeak"):
                for mins in (60, 15):
                    print("shape", s, z, f"{y}-{m:02d}-01", f"{y}-{m:02d}-{last:02d}", mins)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo
bad = 0
for q, a in zip(open("queries"), open("answers")):
    _, s, z, d1, d2, mins = q.split(); mins = int(mins)
    zi = zoneinfo.ZoneInfo(z)
    u = int(dt.datetime.fromisoformat(d1).replace(tzinfo=zi).timestamp())
    ue = int((dt.datetime.fromisoformat(d2) + dt.timedelta(days=1)).replace(tzinfo=zi).timestamp())
    n = 0
    while u < ue:
        t = dt.datetime.fromtimestamp(u, zi)
        peak = t.weekday() < 5 and 8 <= t.hour < 20
        n += {"base": True, "peak": peak, "offpeak": not peak}[s]
        u += 60 * mins
    if n != int(a):
        bad += 1
        print("mismatch", s, z, d1, mins, int(a), n)
print("bad", bad)
assert bad == 0
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: gas-day hours per month 2026-2027 (EU 06:00 local, US 09:00 Chicago) match zoneinfo" {
	$PYORACLE - > queries <<'PY'
import calendar
for y in (2026, 2027):
    for m in range(1, 13):
        last = calendar.monthrange(y, m)[1]
        print("shape", "gasday", "Europe/Amsterdam", f"{y}-{m:02d}-01", f"{y}-{m:02d}-{last:02d}", 60)
        print("shape", "gasday", "America/New_York", f"{y}-{m:02d}-01", f"{y}-{m:02d}-{last:02d}", 60)
PY
	drive < queries > answers
	run $PYORACLE - <<'PY'
import datetime as dt, zoneinfo
bad = 0
for q, a in zip(open("queries"), open("answers")):
    _, s, z, d1, d2, _ = q.split()
    zi, hour = (zoneinfo.ZoneInfo("America/Chicago"), 9) if z.startswith("America/") else (zoneinfo.ZoneInfo(z), 6)
    a0 = dt.datetime.fromisoformat(d1).replace(hour=hour, tzinfo=zi)
    b0 = (dt.datetime.fromisoformat(d2) + dt.timedelta(days=1)).replace(hour=hour, tzinfo=zi)
    n = (int(b0.timestamp()) - int(a0.timestamp())) // 3600
    if n != int(a):
        bad += 1
        print("mismatch", z, d1, int(a), n)
print("bad", bad)
assert bad == 0
PY
	assert_success
	assert_output --partial "bad 0"
}

@test "dates: every holiday file parses, lies in its covered years and lists no weekend" {
	for f in "$DATA"/calendars/*.txt; do
		run $PYORACLE - "$f" <<'PY'
import datetime as dt, re, sys
f = sys.argv[1]
lines = open(f).read().splitlines()
head = {m.group(1): m.group(2) for m in (re.match(r"# (\w+): (.*)", l) for l in lines) if m}
for k in ("calendar", "source", "checked", "covers", "rule"):
    assert k in head, f"{f}: header has no '{k}:' line"
y0, y1 = map(int, head["covers"].split("-"))
days = [dt.date.fromisoformat(l.split("#")[0].strip()) for l in lines if l.strip() and not l.startswith("#")]
assert days == sorted(set(days)), f"{f}: dates not sorted and unique"
assert all(y0 <= d.year <= y1 for d in days), f"{f}: date outside covers"
assert all(d.weekday() < 5 for d in days), f"{f}: weekend date listed"
assert {d.year for d in days} == set(range(y0, y1 + 1)), f"{f}: a covered year has no holiday"
print(f, len(days), "ok")
PY
		assert_success
	done
}

@test "dates: the driver refuses a malformed query" {
	run drive <<< "shape 6x16 Europe/Berlin 2026-01-01 2026-01-31 60"
	assert_failure 2
	run drive <<< "u2l No/Such_Zone 0"
	assert_failure 3
}

# --- where holiday files come from (qe-formats(5) CALENDARS) ---------------

# The example command lines of README.md (```sh blocks) and of man pages
# (.Dl lines, .Bd -literal blocks) that read holiday files, one a line,
# continuation lines joined.
calendar_examples() {
	$PYORACLE - "$@" <<'PY'
import re, sys
for path in sys.argv[1:]:
    text = open(path).read()
    if path.endswith(".md"):
        s = "\n".join(re.findall(r"```sh\n(.*?)```", text, re.S)).replace("\\\n", " ")
    else:
        lines, lit = [], False
        for l in text.splitlines():
            if l.startswith(".Dl "):
                lines.append(l[4:])
            elif l.startswith(".Bd -literal"):
                lit = True
            elif l.startswith(".Ed"):
                lit = False
            elif lit:
                lines.append(l)
        s = "\n".join(lines).replace("\\e\n", " ").replace("\\e", "\\").replace("\\-", "-")
    s = re.sub(r"\|\n\s*", "| ", s)
    for l in s.splitlines():
        l = l.strip()
        if re.match(r"(qe-synth |qe-price --asof |qe-optimize hedge )", l):
            print(l)
PY
}

# A copy of the top of the tree to run examples in (they write their
# outputs into the working directory).
tree_copy() {
	mkdir -p root
	cp -r "$DATA" root/data
	cd root || return 1
}

@test "calendars: README and man page examples that read holiday files run as written from the top of the tree" {
	calendar_examples "$QE_TOP/README.md" "$QE_TOP"/man/*.1 > cmds
	mapfile -t cmds < cmds
	[ "${#cmds[@]}" -ge 9 ] || fail "expected at least 9 examples, found ${#cmds[@]}: ${cmds[*]}"
	tree_copy
	# the hedge examples' covariance input (README: qe-var cov)
	qe-var cov -H data/history.csv -m data/markets.csv --cov lw -o cov.csv
	for cmd in "${cmds[@]}"; do
		cmd=${cmd//\/tmp\//$TMP\/}
		run env -u QE_CALENDAR_DIR bash -o pipefail -c "$cmd" < /dev/null
		[ "$status" -eq 0 ] || fail "'$cmd' failed with $status: ${output:0:600}"
	done
	# the hedge examples ran on the ladder of the qe-price example
	[ -s ladder.csv ] && [ -s hedges.csv ]
}

@test "calendars: --calendars, then QE_CALENDAR_DIR, then calendars/ beside --markets, then share; never the working directory" {
	tree_copy
	val() {
		qe-price -q --asof 2026-11-25 --trades data/trades.csv --curves data/curves.csv \
			--vols data/vols.csv --rates data/rates.csv --fixings data/fixings.csv -o val.csv "$@"
	}
	mkdir nonymex && cp data/calendars/*.txt nonymex/ && rm nonymex/NYMEX.txt
	unset QE_CALENDAR_DIR
	# calendars/ beside --markets
	run val --markets data/markets.csv
	assert_success
	# QE_CALENDAR_DIR comes before it, and is the only place looked in
	export QE_CALENDAR_DIR="$PWD/nonymex"
	run val --markets data/markets.csv
	assert_failure 3
	assert_output --partial "unknown calendar 'NYMEX' (no $PWD/nonymex/NYMEX.txt)"
	# --calendars comes before both
	run val --markets data/markets.csv --calendars data/calendars
	assert_success
	unset QE_CALENDAR_DIR
	run val --markets data/markets.csv --calendars nonymex
	assert_failure 3
	assert_output --partial "(no nonymex/NYMEX.txt)"
	# a curve master with no calendars/ beside it: the installed ones,
	# not ./data/calendars (broken here so that reading it would show)
	mkdir elsewhere && cp data/markets.csv elsewhere/
	echo 2026-13-45 >> data/calendars/NYMEX.txt
	run val --markets elsewhere/markets.csv
	refute_output --partial "data/calendars"
	[ "$status" -eq 0 ] || assert_output --partial "/share/quantaenergi/calendars/NYMEX.txt)"
	run qe-synth -q --only markets -o m.csv
	refute_output --partial "data/calendars"
	[ "$status" -eq 0 ] || assert_output --partial "/share/quantaenergi/calendars/NYMEX.txt)"
}

@test "calendars: make install puts them in PREFIX/share/quantaenergi; installed tools find them from anywhere" {
	build=$(dirname "${QE_UNIT_DIR:-$QE_TOP/build/tests}")
	[ -d "$build/lib" ] || fail "no build tree at $build"
	# reuse the objects: only cli.o, which knows the share directory, and
	# the tools are built again (same flags as that build: under make
	# sanitize, its sanitizer flags)
	cp -a "$build" b
	werror=$(grep -o -- -Werror b/CFLAGS || true)
	san=()
	[ -z "${QE_SANITIZE:-}" ] || san=(OPT="$QE_SAN_OPT" LDFLAGS="$QE_SAN_LDFLAGS")
	inst() {
		make -C "$QE_TOP" -j2 --no-print-directory WERROR="$werror" "${san[@]}" BUILD="$TMP/b" BIN="$TMP/bin" "$@" install
	}
	run inst PREFIX="$TMP/usr"
	assert_success
	share=$TMP/usr/share/quantaenergi
	assert_file_exists "$share/calendars/NYMEX.txt"
	assert_file_exists "$share/data/markets.csv"
	mkdir elsewhere && cd elsewhere
	run env -u QE_CALENDAR_DIR "$TMP/usr/bin/qe-synth" -q --only markets -o m.csv
	assert_success
	# the installed sample data, with no calendars/ beside its markets.csv
	cp "$share"/data/*.csv .
	run env -u QE_CALENDAR_DIR "$TMP/usr/bin/qe-price" -q --asof 2026-11-25 --trades trades.csv \
		--curves curves.csv --vols vols.csv --rates rates.csv --fixings fixings.csv \
		--markets markets.csv -o val.csv
	assert_success
	# they came from share: without the file the tool names where it looked
	rm "$share/calendars/NYMEX.txt"
	run env -u QE_CALENDAR_DIR "$TMP/usr/bin/qe-synth" -q --only markets -o m.csv
	assert_failure 3
	assert_output --partial "(no $share/calendars/NYMEX.txt)"
	# a staged install (DESTDIR) for PREFIX=/usr: files under DESTDIR, and
	# the tools look in /usr/share/quantaenergi
	run inst PREFIX=/usr DESTDIR="$TMP/stage"
	assert_success
	assert_file_exists "$TMP/stage/usr/share/quantaenergi/calendars/NYMEX.txt"
	assert_file_exists "$TMP/stage/usr/share/quantaenergi/data/trades.csv"
	if [ ! -e /usr/share/quantaenergi/calendars/NYMEX.txt ]; then
		run env -u QE_CALENDAR_DIR "$TMP/stage/usr/bin/qe-synth" -q --only markets -o m.csv
		assert_failure 3
		assert_output --partial "(no /usr/share/quantaenergi/calendars/NYMEX.txt)"
	fi
}
