#!/usr/bin/env bats
# qe-settle ledger: the signed, hash-chained carbon-allowance ledger.
# Hashes and signatures are checked with python's hashlib and the openssl
# command line, holdings with a serial-by-serial model in python; every
# tampering (byte flips, cuts, insertions, deletions, reordering) must
# end verify with exit 1 naming the bad line.

load helpers

HDR=kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last,reference

# keys: Ed25519 keys a.pem and b.pem (two parties), their public keys in
# trusted/ and a-only/
keys() {
	openssl genpkey -algorithm ed25519 -out a.pem 2>/dev/null
	openssl genpkey -algorithm ed25519 -out b.pem 2>/dev/null
	mkdir -p trusted a-only
	openssl pkey -in a.pem -pubout -out trusted/a.pem
	openssl pkey -in b.pem -pubout -out trusted/b.pem
	cp trusted/a.pem a-only/
}

# append KEY TIME LINE...: appends the request lines to L.csv
append() {
	local key=$1 t=$2
	shift 2
	printf '%s\n' "$HDR" "$@" | qe-settle ledger append -q L.csv --key "$key" --time "$t"
}

# book: a ledger of two parties, 6 entries
book() {
	keys
	append a.pem 2026-12-01T09:00:00Z 'issue,,A-1,EUA,2026,1000,1,1000,allocation' \
		'issue,,A-1,UKA,2025,50,1,50,' 'transfer,A-1,B-1,EUA,2026,400,201,600,trade T1'
	append b.pem 2026-12-02T09:00:00Z 'transfer,B-1,B-2,EUA,2026,100,201,300,internal' \
		'surrender,B-2,,EUA,2026,50,201,250,compliance 2026' 'retire,B-1,,EUA,2026,10,591,600,voluntary'
}

@test "ledger: append, balance and show" {
	book
	run_split qe-settle ledger balance L.csv
	assert_success
	assert_output "account,unit,vintage,held,surrendered,retired
A-1,EUA,2026,600,0,0
A-1,UKA,2025,50,0,0
B-1,EUA,2026,290,0,10
B-2,EUA,2026,50,50,0"
	run_split qe-settle ledger show L.csv --account B-2
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" == 4,2026-12-02T09:00:00Z,transfer,B-1,B-2,EUA,2026,100,201,300,internal,* ]] || fail "$output"
	[[ "${lines[2]}" == 5,2026-12-02T09:00:00Z,surrender,B-2,,EUA,2026,50,201,250,compliance\ 2026,* ]] || fail "$output"
	run qe-settle ledger balance L.csv --unit UKA -o bal.csv
	assert_success
	assert_equal "$(cat bal.csv)" "account,unit,vintage,held,surrendered,retired
A-1,UKA,2025,50,0,0"
	run_split qe-settle ledger verify L.csv --trusted-keys trusted
	assert_success
	[[ "$stderr" == *"6 entries good"* ]] || fail "$stderr"
}

@test "ledger: hashes, chain, key ids and signatures check with hashlib and openssl pkeyutl" {
	book
	for k in a b; do
		openssl pkey -pubin -in trusted/$k.pem -outform DER | tail -c 32 > $k.raw
	done
	"$PYORACLE" - <<'EOF'
import hashlib, subprocess
lines = open('L.csv', 'rb').read().split(b'\n')
assert lines[-1] == b'' and len(lines) == 8, len(lines)
lines = lines[:-1]
ids = {hashlib.sha256(open(k + '.raw', 'rb').read()).hexdigest()[:16]: k for k in 'ab'}
prev = hashlib.sha256(lines[0]).hexdigest()
for n, line in enumerate(lines[1:], 1):
    f = line.split(b',')
    assert len(f) == 15 and int(f[0]) == n
    content = line.rsplit(b',', 2)[0]
    assert f[12].decode() == prev, (n, 'prev_hash')
    assert f[13].decode() == hashlib.sha256(content).hexdigest(), (n, 'hash')
    key = ids[f[11].decode()]
    assert key == ('a' if n <= 3 else 'b'), (n, key)
    open('content.bin', 'wb').write(content)
    open('sig.bin', 'wb').write(bytes.fromhex(f[14].decode()))
    subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', 'trusted/%s.pem' % key,
                    '-rawin', '-in', 'content.bin', '-sigfile', 'sig.bin'], check=True,
                   stdout=subprocess.DEVNULL)
    # a wrong signature is refused by openssl too: the check can fail
    open('content.bin', 'wb').write(content + b'x')
    r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', 'trusted/%s.pem' % key,
                        '-rawin', '-in', 'content.bin', '-sigfile', 'sig.bin'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert r.returncode != 0
    prev = hashlib.sha256(line).hexdigest()
ck = open('L.csv.checkpoint').read()
assert ck == 'entries,head\n6,%s\n' % prev, ck
EOF
}

@test "ledger: two parties share a ledger; each verifies the other's entries with its key" {
	book
	run qe-settle ledger verify L.csv --trusted-keys trusted
	assert_success
	# a verifier that trusts only A stops at B's first entry
	run_split qe-settle ledger verify L.csv --trusted-keys a-only
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	one_diagnostic L.csv 5 "which is not trusted"
	# B's key swapped for a third one: its entries no longer verify
	openssl genpkey -algorithm ed25519 -out c.pem 2>/dev/null
	openssl pkey -in c.pem -pubout -out trusted/b.pem
	run_split qe-settle ledger verify L.csv --trusted-keys trusted
	[ "$status" -eq 1 ]
	one_diagnostic L.csv 5 "not trusted"
}

@test "ledger: holdings follow a serial-by-serial model on a random sequence of requests" {
	keys
	"$PYORACLE" - <<'EOF'
import random, subprocess
rng = random.Random(20261206)
accts = ['A-1', 'A-2', 'B-1', 'B-2']
state = {}   # (unit, serial) -> [account, status, vintage]
hdr = 'kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last\n'
accepted = refused = 0
for i in range(100):
    unit = rng.choice(['EUA', 'UKA'])
    a = rng.randint(1, 2000); b = a + rng.randint(0, 40)
    kind = rng.choice(['issue', 'transfer', 'transfer', 'transfer', 'surrender', 'retire'])
    src = rng.choice(accts)
    mine = [k for k, v in state.items() if v[1] == 'held']
    if kind != 'issue' and mine and rng.random() < 0.85:
        # mostly a move of serials someone holds, sometimes past their block
        unit, a = rng.choice(mine)
        b = a + rng.randint(0, 6)
        src = state[(unit, a)][0]
    dst = rng.choice([x for x in accts if x != src])
    held = state.get((unit, a))
    vintage = held[2] if held and rng.random() < 0.9 else rng.choice([2025, 2026])
    if kind == 'issue':
        ok = all((unit, s) not in state for s in range(a, b + 1))
        frm, to = '', dst
    else:
        ok = all(state.get((unit, s)) == [src, 'held', vintage] for s in range(a, b + 1))
        frm, to = src, (dst if kind == 'transfer' else '')
    req = '%s,%s,%s,%s,%d,%d,%d,%d\n' % (kind, frm, to, unit, vintage, b - a + 1, a, b)
    r = subprocess.run(['qe-settle', 'ledger', 'append', '-q', 'L.csv', '--key', rng.choice(['a.pem', 'b.pem']),
                        '--time', '2026-12-%02dT10:00:00Z' % (1 + i // 10)],
                       input=(hdr + req).encode(), capture_output=True)
    want = 0 if ok else 3
    assert r.returncode == want, (i, req, r.returncode, r.stderr)
    if ok:
        accepted += 1
        for s in range(a, b + 1):
            st = 'held' if kind in ('issue', 'transfer') else kind
            state[(unit, s)] = [to if to else src, st, vintage]
    else:
        refused += 1
        assert b'<stdin>:2: ' in r.stderr, r.stderr
assert accepted > 25 and refused > 25, (accepted, refused)
bal = {}
for (unit, s), (acct, st, v) in state.items():
    row = bal.setdefault((acct, unit, v), [0, 0, 0])
    row[{'held': 0, 'surrender': 1, 'retire': 2}[st]] += 1
want = ['account,unit,vintage,held,surrendered,retired'] + \
       ['%s,%s,%d,%d,%d,%d' % (k + tuple(bal[k])) for k in sorted(bal)]
got = subprocess.run(['qe-settle', 'ledger', 'balance', 'L.csv'], capture_output=True, check=True).stdout
assert got.decode().split('\n')[:-1] == want, (got, want)
n = len(open('L.csv').read().split('\n')) - 2
assert n == accepted, (n, accepted)
EOF
	run qe-settle ledger verify L.csv --trusted-keys trusted
	assert_success
}

@test "ledger: a refused request changes nothing: the whole batch is refused" {
	book
	cp L.csv before.csv
	cp L.csv.checkpoint before.ck
	printf '%s\n' "$HDR" 'transfer,A-1,B-1,EUA,2026,10,1,10,' 'transfer,B-2,A-1,EUA,2026,10,201,210,' > req.csv
	run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
	[ "$status" -eq 3 ] || fail "exit $status: $stderr"
	one_diagnostic req.csv 3 "surrendered by B-2"
	cmp L.csv before.csv
	cmp L.csv.checkpoint before.ck
	# each invariant: negative balance, double spend, retired units, double issuance
	for bad in 'transfer,C-9,A-1,EUA,2026,10,2001,2010,' 'transfer,B-1,A-1,EUA,2026,10,1,10,' \
		'transfer,B-1,A-1,EUA,2026,5,591,595,' 'issue,,A-1,EUA,2026,10,995,1004,' \
		'transfer,A-1,B-1,EUA,2025,10,1,10,'; do
		printf '%s\n' "$HDR" "$bad" > req.csv
		run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
		[ "$status" -eq 3 ] || fail "$bad: exit $status"
		[[ "$stderr" == *"req.csv:2: "* ]] || fail "$bad: $stderr"
		cmp L.csv before.csv
	done
	# an entry dated before the last one is refused too
	printf '%s\n' "$HDR" 'transfer,A-1,B-1,EUA,2026,10,1,10,' > req.csv
	run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-11-30T00:00:00Z
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"before the last entry"* ]] || fail "$stderr"
	cmp L.csv before.csv
}

@test "ledger: random byte flips in the ledger are all detected at their line (seeded)" {
	book
	"$PYORACLE" - <<'EOF'
import random, subprocess
rng = random.Random(15)
orig = open('L.csv', 'rb').read()
starts = [0] + [i + 1 for i, c in enumerate(orig) if c == 10]
for t in range(150):
    pos = rng.randrange(len(orig))
    bit = 1 << rng.randrange(8)
    if t % 3 == 0:   # a printable substitution, as an editor would make
        new = orig[pos]
        while new == orig[pos]:
            new = rng.choice(b'0123456789abcdefABCDEF,-\n')
    else:
        new = orig[pos] ^ bit
    data = orig[:pos] + bytes([new]) + orig[pos + 1:]
    open('T.csv', 'wb').write(data)
    r = subprocess.run(['qe-settle', 'ledger', 'verify', 'T.csv', '--checkpoint', 'L.csv.checkpoint',
                        '--trusted-keys', 'trusted'], capture_output=True)
    line = sum(1 for s in starts if s <= pos)
    assert r.returncode == 1, (t, pos, new, r.returncode, r.stderr)
    assert b'T.csv:%d:' % line in r.stderr, (t, pos, line, r.stderr)
EOF
}

@test "ledger: without signatures, flips are still detected through the chain and the checkpoint" {
	book
	"$PYORACLE" - <<'EOF'
import random, subprocess
rng = random.Random(16)
orig = open('L.csv', 'rb').read()
for t in range(100):
    pos = rng.randrange(len(orig))
    data = orig[:pos] + bytes([orig[pos] ^ (1 << rng.randrange(8))]) + orig[pos + 1:]
    open('T.csv', 'wb').write(data)
    r = subprocess.run(['qe-settle', 'ledger', 'verify', 'T.csv', '--checkpoint', 'L.csv.checkpoint',
                        '--no-signatures'], capture_output=True)
    assert r.returncode == 1, (t, pos, r.stderr)
EOF
}

@test "ledger: random truncations are all detected (seeded)" {
	book
	"$PYORACLE" - <<'EOF'
import random, subprocess
rng = random.Random(17)
orig = open('L.csv', 'rb').read()
cuts = sorted(set([0, len(orig) - 1] + [i + 1 for i, c in enumerate(orig[:-1]) if c == 10] +
                  [rng.randrange(len(orig)) for _ in range(80)]))
for cut in cuts:
    open('T.csv', 'wb').write(orig[:cut])
    r = subprocess.run(['qe-settle', 'ledger', 'verify', 'T.csv', '--checkpoint', 'L.csv.checkpoint',
                        '--trusted-keys', 'trusted'], capture_output=True)
    assert r.returncode == 1, (cut, r.returncode, r.stderr)
    assert b'T.csv' in r.stderr
EOF
}

@test "ledger: insertion, deletion, reordering and replay of entries are detected" {
	book
	mapfile -t L < L.csv
	check() {
		printf '%s\n' "$@" > T.csv
		run_split qe-settle ledger verify T.csv --checkpoint L.csv.checkpoint --trusted-keys trusted
		[ "$status" -eq 1 ] || fail "exit $status for: $*"
	}
	check "${L[@]:0:3}" "${L[@]:4}"                        # line 4 deleted
	one_diagnostic T.csv 4 "chain is broken"
	check "${L[@]:0:3}" "${L[4]}" "${L[3]}" "${L[@]:5}"    # lines 4 and 5 swapped
	one_diagnostic T.csv 4 "chain is broken"
	check "${L[@]:0:4}" "${L[3]}" "${L[@]:4}"              # line 4 replayed
	one_diagnostic T.csv 5 "chain is broken"
	check "${L[@]:0:6}"                                    # last entry removed
	[[ "$stderr" == *"T.csv: truncated: the checkpoint records 6 entries, the ledger has 5"* ]] || fail "$stderr"
	# an entry signed by a trusted key but built on another ledger's chain
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,5,5001,5005,' | qe-settle ledger append -q O.csv --key a.pem --time 2026-12-01T09:00:00Z
	check "${L[@]:0:4}" "$(tail -n 1 O.csv)" "${L[@]:4}"   # inserted
	one_diagnostic T.csv 5 "chain is broken"
	# the checkpoint itself edited: its head no longer matches
	# flip the head's first hex digit (0 becomes 1, anything else 0)
	sed 's/^6,0/6,#/; s/^6,[^#]/6,0/; s/^6,#/6,1/' L.csv.checkpoint > T.ck
	! cmp -s L.csv.checkpoint T.ck || fail "the checkpoint was not edited"
	run_split qe-settle ledger verify L.csv --checkpoint T.ck --trusted-keys trusted
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"not the checkpoint's head"* ]] || fail "$stderr"
}

@test "ledger: a torn tail is reported by verify and refused by append until cut off" {
	book
	size=$(stat -c %s L.csv)
	printf '7,2026-12-03T00:00:00Z,transfer,A-1,B' >> L.csv
	run_split qe-settle ledger verify L.csv --trusted-keys trusted
	[ "$status" -eq 1 ]
	one_diagnostic L.csv 8 "torn entry"
	printf '%s\n' "$HDR" 'transfer,A-1,B-1,EUA,2026,10,1,10,' > req.csv
	run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"truncate -s $size L.csv"* ]] || fail "$stderr"
	truncate -s "$size" L.csv
	run qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
	assert_success
	run qe-settle ledger verify L.csv --trusted-keys trusted
	assert_success
}

@test "ledger: a cut ledger is never blessed by a later append" {
	book
	head -n 5 L.csv > cut.csv && cp cut.csv L.csv
	printf '%s\n' "$HDR" 'transfer,A-1,B-1,EUA,2026,10,1,10,' > req.csv
	run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"truncated"* ]] || fail "$stderr"
	cmp L.csv cut.csv
	: > L.csv
	run_split qe-settle ledger append L.csv req.csv --key a.pem --time 2026-12-03T00:00:00Z
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"empty, but its checkpoint"* ]] || fail "$stderr"
	[ ! -s L.csv ]
}

@test "ledger: two appenders at once never interleave (flock)" {
	keys
	for p in a b; do
		(
			base=$([ $p = a ] && echo 0 || echo 100000)
			for i in $(seq 1 25); do
				printf '%s\n' "$HDR" "issue,,$p-acct,EUA,2026,10,$((base + i * 10 + 1)),$((base + i * 10 + 10)),$p$i" |
					qe-settle ledger append -q L.csv --key $p.pem --time 2026-12-01T09:00:00Z || exit 1
			done
		) &
	done
	wait %1
	wait %2
	run qe-settle ledger verify L.csv --trusted-keys trusted
	assert_success
	[ "$(wc -l < L.csv)" -eq 51 ]
	run qe-settle ledger balance L.csv
	assert_output "account,unit,vintage,held,surrendered,retired
a-acct,EUA,2026,250,0,0
b-acct,EUA,2026,250,0,0"
}

@test "ledger: bad requests are exit 3 with file:line:column" {
	keys
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,999,1,1000,' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 2:6 "quantity 999 is not the 1000 serials"
	printf '%s\n' "$HDR" 'mint,,A-1,EUA,2026,1,1,1,' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 2:1 "not issue, transfer, surrender or retire"
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,NaN,1,1,' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 2:6 "quantity"
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,1,1,1,"a,b"' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 2:9 "no comma or quote"
	printf '%s\n' "$HDR" 'transfer,A-1,,EUA,2026,1,1,1,' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 2:3 "needs the account it gives the units to"
	printf 'kind,from_account,to_account,unit,vintage,quantity,serial_first\n' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	one_diagnostic q.csv 1:1 "missing required column 'serial_last'"
	: > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem
	[ "$status" -eq 3 ]
	[ ! -e L.csv ] || [ ! -s L.csv ]
}

@test "ledger: usage, keys and I/O errors" {
	book
	printf '%s\n' "$HDR" > q.csv
	run qe-settle ledger append L.csv q.csv
	[ "$status" -eq 2 ]
	run qe-settle ledger append L.csv q.csv --key a.pem --time 2026-12-01
	[ "$status" -eq 2 ]
	run qe-settle ledger append L.csv q.csv --key a.pem --time 2026-02-30T00:00:00Z
	[ "$status" -eq 2 ]
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,1,9001,9001,' > q.csv
	run_split qe-settle ledger append L.csv q.csv --key a.pem --time 2026-12-31
	[ "$status" -eq 2 ] || fail "bad --time: exit $status"
	run qe-settle ledger verify L.csv
	[ "$status" -eq 2 ]
	run qe-settle ledger verify L.csv --key a.pem --no-signatures
	[ "$status" -eq 2 ]
	run qe-settle ledger mint L.csv
	[ "$status" -eq 2 ]
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out rsa.pem 2>/dev/null
	run_split qe-settle ledger append L.csv q.csv --key rsa.pem
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"rsa.pem: not an Ed25519 key"* ]] || fail "$stderr"
	run_split qe-settle ledger verify L.csv --checkpoint nope.ck --trusted-keys trusted
	[ "$status" -eq 4 ]
	run_split qe-settle ledger verify L.csv --trusted-keys empty-dir
	[ "$status" -eq 4 ]
	run qe-settle ledger balance L.csv -o /dev/full
	[ "$status" -eq 4 ]
	run qe-settle ledger show L.csv -o /dev/full
	[ "$status" -eq 4 ]
	# a checkpoint that cannot be written: the append is undone
	cp L.csv before.csv
	printf '%s\n' "$HDR" 'issue,,A-1,EUA,2026,1,9001,9001,' > q.csv
	mkdir ckdir && cp L.csv.checkpoint ckdir/ck && chmod a-w ckdir
	if [ "$(id -u)" -ne 0 ]; then
		run qe-settle ledger append L.csv q.csv --key a.pem --checkpoint ckdir/ck
		[ "$status" -eq 4 ]
		cmp L.csv before.csv
	fi
	chmod u+w ckdir
}

@test "ledger: an append killed at random points leaves the old ledger, the new one, or a torn tail to cut" {
	book
	awk -v h="$HDR" 'BEGIN { print h; for (i = 0; i < 3000; i++) printf "transfer,A-1,B-%d,EUA,2026,1,%d,%d,\n", i % 7, i + 1, i + 1 }' > big.csv
	for seed in 1 2 3 4 5 6; do
		cp L.csv K.csv && cp L.csv.checkpoint K.csv.checkpoint
		start_interruptible qe-settle ledger append -q K.csv big.csv --key a.pem --time 2026-12-05T00:00:00Z
		sleep "0.$((seed * 7 % 10))$seed"
		kill -9 "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" || true
		run_split qe-settle ledger verify K.csv --trusted-keys trusted
		if [ "$status" -eq 1 ]; then
			[[ "$stderr" == *"torn entry"* ]] || fail "seed $seed: $stderr"
			size=$(sed -n 's/.*good up to byte \([0-9]*\).*/\1/p' <<< "$stderr")
			truncate -s "$size" K.csv
			run qe-settle ledger verify K.csv --trusted-keys trusted
		fi
		[ "$status" -eq 0 ] || fail "seed $seed: verify exit $status after the kill"
		n=$(($(wc -l < K.csv) - 1))
		[ "$n" -eq 6 ] || [ "$n" -eq 3006 ] || fail "seed $seed: $n entries, want 6 or 3006"
		# the next append works, and cleans up the kill's temporary files
		printf '%s\n' "$HDR" 'issue,,C-1,EUA,2026,1,900001,900001,' |
			qe-settle ledger append -q K.csv --key b.pem --time 2026-12-06T00:00:00Z
		run qe-settle ledger verify K.csv --trusted-keys trusted
		assert_success
	done
	[ -z "$(temps_in .)" ] || fail "temporary files left: $(temps_in .)"
}

# --- requests: the ledger transfers of a day's EUA deliveries ----------------
# The oracle reads the trades, the curve master and the flows itself (the
# allowances of a trade, who delivers to whom) and allocates serials with a
# serial-block model of its own, lowest serials first.

eua_ledger() {
	keys
	qe-settle flows -q --from 2026-11-25 --to 2026-12-02 --data "$DATA" --calendars "$DATA/calendars" -o flows.csv
	# our allowances in two vintages and a gap, every counterparty's in one block
	"$PYORACLE" - flows.csv > issue.csv <<'PY'
import csv, sys
print("kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last,reference")
print("issue,,QE,EUA,2025,150000,1,150000,allocation 2025")
print("issue,,QE,EUA,2026,2000000,200001,2200000,allocation 2026")
cps = sorted({r["counterparty"] for r in csv.DictReader(open(sys.argv[1])) if r["kind"] == "eua_delivery"})
for i, c in enumerate(cps):
    first = 10_000_000 * (i + 1)
    print(f"issue,,{c},EUA,2026,5000000,{first},{first + 4999999},")
PY
	qe-settle ledger append -q L.csv issue.csv --key a.pem --time 2026-11-25T08:00:00Z
}

@test "ledger requests: the flows' EUA deliveries as transfers, recomputed in python" {
	eua_ledger
	run_split qe-settle ledger requests L.csv flows.csv --account QE --trades "$DATA/trades.csv" \
		--markets "$DATA/markets.csv" -o req.csv
	assert_success
	run "$PYORACLE" - req.csv flows.csv "$DATA/trades.csv" "$DATA/markets.csv" issue.csv <<'PY'
import csv, sys
req, flows, trades, markets, issue = sys.argv[1:]
lot = {r["curve"]: float(r["lot_size"] or 0) for r in csv.DictReader(open(markets))}
live = {}
for r in csv.DictReader(open(trades)):
    if r["trade_id"] not in live or int(r["version"]) >= int(live[r["trade_id"]]["version"]):
        live[r["trade_id"]] = r
blocks = []  # [first, last, vintage, holder]
for r in csv.DictReader(open(issue)):
    blocks.append([int(r["serial_first"]), int(r["serial_last"]), int(r["vintage"]), r["to_account"]])
want = []
for f in csv.DictReader(open(flows)):
    if f["kind"] != "eua_delivery":
        continue
    t = live[f["trade_id"]]
    q = float(t["quantity"]) * (lot[t["curve"]] if t["unit"] == "lots" else 1)
    assert q == int(q), t
    q = int(q)
    src, dst = ("QE", f["counterparty"]) if f["direction"] == "receive" else (f["counterparty"], "QE")
    ref = f"eua_delivery {f['trade_id']} {f['value_date']}"
    blocks.sort()
    moved = []
    for b in blocks:
        if q == 0:
            break
        if b[3] != src:
            continue
        take = min(q, b[1] - b[0] + 1)
        want.append(["transfer", src, dst, t["curve"], str(b[2]), str(take), str(b[0]), str(b[0] + take - 1), ref])
        moved.append([b[0], b[0] + take - 1, b[2], dst])
        b[0] += take
        q -= take
    assert q == 0, ("short", ref)
    # the ledger keeps neighbouring serials of one holder and vintage as one block
    merged = []
    for b in sorted([b for b in blocks if b[0] <= b[1]] + moved):
        if merged and merged[-1][1] + 1 == b[0] and merged[-1][2:] == b[2:]:
            merged[-1][1] = b[1]
        else:
            merged.append(b)
    blocks = merged
got = [r for r in csv.reader(open(req))]
assert got[0] == "kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last,reference".split(","), got[0]
assert got[1:] == want, next(((g, w) for g, w in zip(got[1:], want) if g != w), (len(got) - 1, len(want)))
# a delivery of ours spans our two vintages: at least one trade has two rows
refs = [r[8] for r in want if r[1] == "QE"]
assert len(refs) != len(set(refs)), "no delivery spans two blocks"
print(len(want), "transfers")
PY
	assert_success
	[[ "$stderr" == *"EUA deliveries:"*"transfers, 0 already in L.csv"* ]] || fail "$stderr"
	# the requests append, verify, and a rerun finds every delivery recorded
	qe-settle ledger append -q L.csv req.csv --key a.pem --time 2026-12-01T23:59:59Z
	qe-settle ledger verify -q L.csv --trusted-keys trusted
	run_split qe-settle ledger requests L.csv --account QE --trades "$DATA/trades.csv" --markets "$DATA/markets.csv" < flows.csv
	assert_success
	assert_output "kind,from_account,to_account,unit,vintage,quantity,serial_first,serial_last,reference"
	[[ "$stderr" == *": 0 transfers, "*" already in L.csv"* ]] || fail "$stderr"
	# QE's balance: what was issued, less what it delivered, plus what it received
	run "$PYORACLE" - req.csv <<'PY'
import csv, subprocess, sys
net = 150000 + 2000000
for r in csv.DictReader(open(sys.argv[1])):
    net += int(r["quantity"]) * ((r["to_account"] == "QE") - (r["from_account"] == "QE"))
out = subprocess.run(["qe-settle", "ledger", "balance", "L.csv", "--account", "QE"], capture_output=True, text=True, check=True).stdout
held = sum(int(r["held"]) for r in csv.DictReader(out.splitlines()))
assert held == net, (held, net)
PY
	assert_success
}

@test "ledger requests: short holdings, unknown trades and bad flows are exit 3 naming the flows line" {
	eua_ledger
	R=(--account QE --trades "$DATA/trades.csv" --markets "$DATA/markets.csv")
	# a counterparty that holds nothing
	awk -F, 'NR == 1 || $3 != "CP001"' issue.csv > issue2.csv
	rm -f L.csv L.csv.checkpoint
	qe-settle ledger append -q L.csv issue2.csv --key a.pem --time 2026-11-25T08:00:00Z
	line=$(grep -n '^T00002108,CP001,eua_delivery' flows.csv | cut -d: -f1)
	echo old > out.csv
	run qe-settle ledger requests L.csv flows.csv "${R[@]}" -o out.csv
	assert_failure 3
	assert_output "qe-settle: flows.csv:$line: trade T00002108: account CP001 holds 0 EUA, the delivery needs 36000"
	assert_equal "$(cat out.csv)" old
	# a flow of a trade that is not in the book
	sed 's/^T00002108,CP001,eua/T09999999,CP001,eua/' flows.csv > f2.csv
	run qe-settle ledger requests L.csv f2.csv "${R[@]}"
	assert_failure 3
	assert_output --partial "f2.csv:$line: trade T09999999: not a live trade of"
	# a bad flows row, a missing ledger, a missing --account
	sed '3s/,pay,/,owe,/; 3s/,receive,/,owe,/' flows.csv > f3.csv
	run qe-settle ledger requests L.csv f3.csv "${R[@]}"
	assert_failure 3
	assert_output --partial "f3.csv:3:4: column 'direction': direction must be pay or receive 'owe'"
	run qe-settle ledger requests nope.csv flows.csv "${R[@]}"
	assert_failure 4
	run qe-settle ledger requests L.csv flows.csv --trades "$DATA/trades.csv"
	assert_failure 2
	assert_output --partial "--account A"
	run qe-settle ledger requests L.csv flows.csv "${R[@]}" --key a.pem
	assert_failure 2
}
