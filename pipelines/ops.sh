#!/bin/sh
# Operations of the end-of-day pipeline (pipelines/eod.mk): content-hash
# stamps, the record of every step, and what a run leaves for operators
# (the run manifest, the hash-chained audit log, alerts, Prometheus
# metrics).  Make calls it; nothing here computes a result of the desk.
#
#   ops.sh run MAKE ARGS...      what `make eod` runs: one run at a time
#                                (flock on $EOD_LOCK, default
#                                out/eod/.lock; EOD_WAIT=SECONDS waits for
#                                the other run instead of refusing, exit 75),
#                                then make; on a failure the last line on
#                                standard error names the failing step
#   ops.sh stamp FILE STAMP [time|dry]   FILE's SHA-256 into STAMP, which is
#                                rewritten only when the digest changes, so
#                                that a step depending on STAMP reruns on
#                                new content only ("time": under make -t,
#                                where no output is rewritten, a newer
#                                output counts as changed; "dry": under
#                                make -n, a FILE not made yet is skipped)
#   ops.sh step TARGET -c CMD    make's shell (.SHELLFLAGS of eod.mk): runs
#                                CMD under GNU time and records the step
#                                (wall, CPU, peak memory, exit, tool, seed);
#                                a failure writes the failed run's manifest,
#                                alert and metrics and names the step
#   ops.sh finish ok             the manifest rule: alerts, metrics,
#                                manifest, audit log entry, QE_ALERT_CMD
#
# make passes the run through the environment: QE_EOD_OUT, QE_EOD_ASOF,
# QE_EOD_BIN, QE_EOD_MK_DIR, QE_EOD_AUDIT_LOG, QE_EOD_INPUTS,
# QE_EOD_OUTPUTS, QE_EOD_DIRS, QE_RUN_ID; QE_ALERT_CMD and QE_METRICS_DIR
# come from the user.
set -u

# csv_field VALUE: VALUE as one RFC 4180 field
csv_field() {
	case $1 in
	*[,\"]* | *"
"*) printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')" ;;
	*) printf '%s' "$1" ;;
	esac
}

# csv_row FIELD...: one CSV line
csv_row() {
	sep=
	for f in "$@"; do
		printf '%s' "$sep"
		csv_field "$f"
		sep=,
	done
	printf '\n'
}

sha256_of() { sha256sum < "$1" | cut -c1-64; }
bytes_of() { wc -c < "$1" | tr -d ' '; }
# rows of a CSV file but its header (no embedded newlines in the files counted)
rows_of() { if [ -f "$1" ]; then awk 'END { print (NR > 0 ? NR - 1 : 0) }' "$1"; else echo 0; fi; }

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# commit_file TMP FILE: rename into place, the directory synced
commit_file() {
	mv -f "$1" "$2" || return 4
	sync "$(dirname "$2")" 2>/dev/null || true
}

ops_dir() { printf '%s/.qe' "$QE_EOD_OUT"; }

# ---- stamp ------------------------------------------------------------------
cmd_stamp() {
	# (a stamp is made for every file a step reads, and again after each
	# step: the shell's builtins do what they can, so that one stamp costs
	# one sha256sum)
	file=$1 stamp=$2 mode=${3:-}
	# (make -n runs the stamps too, before the outputs they hash exist)
	[ "$mode" = dry ] && [ ! -e "$file" ] && return 0
	h=$(sha256sum < "$file") || { echo "eod: cannot read $file" >&2; exit 4; }
	h=${h%% *}
	old=
	[ -f "$stamp" ] && read -r old < "$stamp"
	if [ "$old" = "$h" ]; then
		if [ "$mode" != time ] || [ ! "$file" -nt "$stamp" ]; then
			return 0
		fi
	fi
	[ -d "${stamp%/*}" ] || mkdir -p "${stamp%/*}" || exit 4
	printf '%s\n' "$h" > "$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"
}

# ---- step -------------------------------------------------------------------
cmd_step() {
	# ($(shell ...) of a make file comes with no target: "step -c CMD")
	if [ "${1:-}" = -c ]; then
		target=
	else
		target=$1
		shift
	fi
	[ "${1:-}" = -c ] && shift
	cmd=$1
	case ${QE_EOD_OUT:-} in '') exec /bin/sh -c "$cmd" ;; esac
	QE_EOD_MAKE_PID=$PPID
	export QE_EOD_MAKE_PID
	case $target in
	"$QE_EOD_OUT"/.qe/* | "$QE_EOD_OUT"/manifest.csv) exec /bin/sh -c "$cmd" ;;
	"$QE_EOD_OUT"/*) ;;
	*) exec /bin/sh -c "$cmd" ;;
	esac
	dir=$(ops_dir)
	mkdir -p "$dir" || exit 4
	tf=$(mktemp "$dir/time.XXXXXX") || exit 4
	started=$(now_iso)
	t0=$(date +%s.%N)
	rc=0
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %U %S %M' -o "$tf" /bin/sh -c "$cmd" || rc=$?
		set -- $(tail -n 1 "$tf")
		wall=${1:-} cpu=$(awk -v u="${2:-0}" -v s="${3:-0}" 'BEGIN { print u + s }') rss=${4:-}
	else
		/bin/sh -c "$cmd" || rc=$?
		wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') cpu= rss=
	fi
	rm -f "$tf"
	# a directory (mkdir of an order-only prerequisite) is no step
	if [ "$rc" -eq 0 ] && [ -d "$target" ]; then
		exit 0
	fi
	tool=$(printf '%s\n' "$cmd" | grep -o "$QE_EOD_BIN/qe-[a-z]*" | head -n 1)
	tool=${tool##*/}
	seed=$(printf '%s\n' "$cmd" | sed -n 's/.*--seed[ =]\([0-9][0-9]*\).*/\1/p' | head -n 1)
	step=${target#"$QE_EOD_OUT"/}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$step" "$tool" "$seed" "$rc" "$wall" "$cpu" "$rss" \
		"$started" >> "$dir/steps.$QE_EOD_MAKE_PID.tsv"
	if [ "$rc" -ne 0 ]; then
		msg="eod: FAILED: step $step${tool:+ ($tool)} exit $rc; the steps after it did not run, earlier outputs are kept"
		printf '%s\t%s\t%s\n' "$step" "$tool" "$rc" > "$dir/failed.$QE_EOD_MAKE_PID"
		(finish failed "$step" "$tool" "$rc") || true
		echo "$msg" >&2
		[ -n "${QE_EOD_STATUS:-}" ] && echo "$msg" > "$QE_EOD_STATUS"
	fi
	exit "$rc"
}

# ---- alerts -----------------------------------------------------------------
# alerts of the outputs as they are: screen findings at or above the gate's
# severity (one alert per rule set), a rejected backtest (red zone), a red
# P&L attribution book, unpriced trades; then the failed step, if any
ALERT_HEADER=time,run_id,asof,kind,severity,subject,message,file

alert() { csv_row "$TIME" "$QE_RUN_ID" "$QE_EOD_ASOF" "$@"; }

collect_alerts() {
	o=$QE_EOD_OUT
	if [ -f "$o/screen/alerts.csv" ]; then
		awk -F, 'NR > 1 { n[$2]++; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
			END { for (i = 1; i <= k; i++) print order[i] "\t" n[order[i]] }' "$o/screen/alerts.csv" |
			while IFS="$(printf '\t')" read -r rs n; do
				alert screen_breach breach "$rs" "$n finding(s) of rule set $rs at or above the gate's severity" \
					"$o/screen/breaches.csv"
			done
	fi
	if [ -f "$o/var/backtest.csv" ]; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["zone"] == "red" || $c["result"] == "reject" { print (("portfolio" in c) ? $c["portfolio"] : "backtest") }' \
			"$o/var/backtest.csv" | sort -u | while read -r p; do
			alert backtest_red critical "$p" "VaR backtest rejected the model (red zone)" "$o/var/backtest.csv"
		done
	fi
	if [ -f "$o/var/pla.csv" ]; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["zone"] == "red" { print $c["portfolio"] }' "$o/var/pla.csv" | while read -r b; do
			alert pla_red critical "$b" "P&L attribution red (MAR32) for $b" "$o/var/pla.csv"
		done
	fi
	n=$(rows_of "$o/price/errors.csv")
	if [ "$n" -gt 0 ]; then
		alert price_errors warning price "$n trade(s) could not be priced" "$o/price/errors.csv"
	fi
}

# ---- metrics ----------------------------------------------------------------
# Prometheus text format (node exporter textfile collector)
write_metrics() {
	status=$1 rc=$2 steps=$3 alerts=$4 dest=$5
	o=$QE_EOD_OUT
	prev_ok=
	if [ "$status" = ok ]; then
		prev_ok=$(date -u +%s)
	elif [ -f "$dest" ]; then
		prev_ok=$(awk '$1 == "qe_eod_last_success_timestamp_seconds" { print $2 }' "$dest")
	fi
	{
		lbl="run_id=\"$QE_RUN_ID\",asof=\"$QE_EOD_ASOF\""
		echo "# HELP qe_eod_run_info The end-of-day run these metrics describe."
		echo "# TYPE qe_eod_run_info gauge"
		echo "qe_eod_run_info{$lbl} 1"
		echo "# HELP qe_eod_run_exit_code Exit code of the failing step of the last run (0: success)."
		echo "# TYPE qe_eod_run_exit_code gauge"
		echo "qe_eod_run_exit_code $rc"
		if [ -n "$prev_ok" ]; then
			echo "# HELP qe_eod_last_success_timestamp_seconds When the last successful run ended."
			echo "# TYPE qe_eod_last_success_timestamp_seconds gauge"
			echo "qe_eod_last_success_timestamp_seconds $prev_ok"
		fi
		awk -F'\t' '
			{ s = $1; if (!(s in wall)) { order[++n] = s; wall[s] = 0; cpu[s] = 0; rss[s] = 0 }
			  wall[s] += $5; cpu[s] += $6; if ($7 + 0 > rss[s]) rss[s] = $7 + 0 }
			END {
				if (!n) exit
				print "# HELP qe_eod_step_duration_seconds Wall time of each step that ran."
				print "# TYPE qe_eod_step_duration_seconds gauge"
				for (i = 1; i <= n; i++) printf "qe_eod_step_duration_seconds{step=\"%s\"} %s\n", order[i], wall[order[i]]
				print "# HELP qe_eod_step_cpu_seconds CPU time (user and system) of each step that ran."
				print "# TYPE qe_eod_step_cpu_seconds gauge"
				for (i = 1; i <= n; i++) printf "qe_eod_step_cpu_seconds{step=\"%s\"} %s\n", order[i], cpu[order[i]]
				print "# HELP qe_eod_step_max_rss_bytes Peak resident memory of each step that ran."
				print "# TYPE qe_eod_step_max_rss_bytes gauge"
				for (i = 1; i <= n; i++) printf "qe_eod_step_max_rss_bytes{step=\"%s\"} %d\n", order[i], rss[order[i]] * 1024
			}' "$steps"
		echo "# HELP qe_eod_rows Rows read (in), written (out) and rejected by the ingest and price steps."
		echo "# TYPE qe_eod_rows gauge"
		for r in "$o"/ingest/*.rejects.csv; do
			[ -f "$r" ] || continue
			k=$(basename "$r" .rejects.csv)
			nout=$(rows_of "$o/ingest/$k.csv") nrej=$(rows_of "$r")
			echo "qe_eod_rows{step=\"ingest/$k\",kind=\"in\"} $((nout + nrej))"
			echo "qe_eod_rows{step=\"ingest/$k\",kind=\"out\"} $nout"
			echo "qe_eod_rows{step=\"ingest/$k\",kind=\"rejected\"} $nrej"
		done
		if [ -f "$o/price/valuations.csv" ]; then
			nout=$(rows_of "$o/price/valuations.csv") nrej=$(rows_of "$o/price/errors.csv")
			echo "qe_eod_rows{step=\"price\",kind=\"in\"} $((nout + nrej))"
			echo "qe_eod_rows{step=\"price\",kind=\"out\"} $nout"
			echo "qe_eod_rows{step=\"price\",kind=\"rejected\"} $nrej"
		fi
		if [ -f "$o/screen/breaches.csv" ]; then
			echo "# HELP qe_eod_screen_findings Findings of the screen by rule set and severity."
			echo "# TYPE qe_eod_screen_findings gauge"
			awk -F, 'NR > 1 { k = "rule_set=\"" $2 "\",severity=\"" $4 "\""; if (!(k in n)) o[++m] = k; n[k]++ }
				END { for (i = 1; i <= m; i++) printf "qe_eod_screen_findings{%s} %d\n", o[i], n[o[i]] }' \
				"$o/screen/breaches.csv"
		fi
		for v in var.csv var-full.csv; do
			[ -f "$o/var/$v" ] || continue
			if [ "$v" = var.csv ]; then
				echo "# HELP qe_eod_var Value at risk and expected shortfall by book (portfolio), method and level, in the row's currency."
				echo "# TYPE qe_eod_var gauge"
			fi
			awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				{ l = sprintf("portfolio=\"%s\",method=\"%s\",alpha=\"%s\",horizon=\"%s\",currency=\"%s\"",
					$c["portfolio"], $c["method"], $c["alpha"], $c["horizon"], $c["currency"])
				  printf "qe_eod_var{%s,measure=\"var\"} %s\n", l, $c["var"]
				  printf "qe_eod_var{%s,measure=\"es\"} %s\n", l, $c["es"] }' "$o/var/$v"
		done
		echo "# HELP qe_eod_alerts Alerts of the last run by kind."
		echo "# TYPE qe_eod_alerts gauge"
		for k in screen_breach backtest_red pla_red price_errors step_failed; do
			echo "qe_eod_alerts{kind=\"$k\"} $(awk -F, -v k="$k" 'NR > 1 && $4 == k { n++ } END { print n + 0 }' "$alerts")"
		done
	} > "$dest.tmp" && commit_file "$dest.tmp" "$dest"
}

# ---- manifest ---------------------------------------------------------------
# the tools the pipeline's rules run
pipeline_tools() {
	grep -oh 'QE_BIN)/qe-[a-z]*' "$QE_EOD_MK_DIR"*.mk 2>/dev/null | sed 's/.*\///' | sort -u
}

# file_rows ROLE FILE...: the manifest row "ROLE,FILE,BYTES,SHA256," of
# each FILE, in order (one stat and one sha256sum for all of them)
file_rows() {
	role=$1
	shift
	[ $# -gt 0 ] || return 0
	fr=$(mktemp -d "${TMPDIR:-/tmp}/qe-eod-rows.XXXXXX") || return 4
	printf '%s\n' "$@" > "$fr/path"
	if stat -L -c %s -- "$@" > "$fr/bytes" && sha256sum -- "$@" > "$fr/sum"; then
		# (sha256sum marks a name holding a backslash or newline with a
		# leading backslash)
		sed 's/^\\//' "$fr/sum" | cut -c1-64 > "$fr/sha"
		awk -v role="$role" '
			function field(s) { if (s ~ /[,"]/) { gsub(/"/, "\"\"", s); s = "\"" s "\"" } return s }
			FILENAME == ARGV[1] { b[FNR] = $0; next }
			FILENAME == ARGV[2] { h[FNR] = $0; next }
			{ print role "," field($0) "," b[FNR] "," h[FNR] "," }' "$fr/bytes" "$fr/sha" "$fr/path"
		rc=$?
	else
		rc=4
	fi
	rm -rf "$fr"
	return $rc
}

write_manifest() {
	status=$1 fstep=$2 ftool=$3 frc=$4 steps=$5 prev=$6 dest=$7
	note="run_id=$QE_RUN_ID asof=$QE_EOD_ASOF status=$status"
	[ "$status" = ok ] || note="$note step=$fstep${ftool:+ tool=$ftool} exit=$frc"
	{
		echo "role,path,bytes,sha256,note"
		csv_row run "$QE_EOD_OUT" "" "" "$note"
		if [ -n "$prev" ]; then
			set -- $prev
			csv_row previous "$1" "$2" "$3" ""
		fi
		seen=" "
		ins=
		for f in $QE_EOD_INPUTS; do
			case $seen in *" $f "*) continue ;; esac
			seen="$seen$f "
			[ -f "$f" ] && ins="$ins $f"
		done
		file_rows input $ins || return 4
		outs=$QE_EOD_OUTPUTS
		for d in $QE_EOD_DIRS; do
			[ -d "$d" ] && outs="$outs $(find "$d" -type f | LC_ALL=C sort | tr '\n' ' ')"
		done
		outs="$outs $QE_EOD_OUT/alerts.csv $QE_EOD_OUT/metrics.prom"
		files=
		for f in $outs; do
			case $seen in *" $f "*) continue ;; esac
			seen="$seen$f "
			[ -f "$f" ] && files="$files $f"
		done
		file_rows output $files || return 4
		for t in $(pipeline_tools); do
			b=$QE_EOD_BIN/$t
			[ -x "$b" ] || continue
			csv_row tool "$b" "$(bytes_of "$b")" "$(sha256_of "$b")" "$("$b" -V 2>/dev/null | head -n 1)"
		done
		awk -F'\t' '{ s = $1; if (!(s in wall)) { order[++n] = s; wall[s] = 0; cpu[s] = 0; rss[s] = 0; rc[s] = 0 }
				if ($2 != "") tool[s] = $2; if ($3 != "") seed[s] = $3
				if ($4 != 0 && rc[s] == 0) rc[s] = $4
				wall[s] += $5; cpu[s] += $6; if ($7 + 0 > rss[s]) rss[s] = $7 + 0 }
			END { for (i = 1; i <= n; i++) { s = order[i]
				printf "step,%s,,,exit=%d wall_s=%s cpu_s=%s max_rss_kb=%d%s%s\n", s, rc[s], wall[s], cpu[s], rss[s],
					(s in tool) ? " tool=" tool[s] : "", (s in seed) ? " seed=" seed[s] : "" } }' "$steps"
	} > "$dest.tmp" && commit_file "$dest.tmp" "$dest"
}

# ---- finish -----------------------------------------------------------------
finish() {
	status=$1 fstep=${2:-} ftool=${3:-} frc=${4:-0}
	o=$QE_EOD_OUT dir=$(ops_dir)
	mkdir -p "$dir" || return 4
	log=$QE_EOD_AUDIT_LOG
	mkdir -p "$(dirname "$log")/manifests" || return 4
	# one writer of the audit log at a time (two days' runs, or a failure
	# under make -j while the manifest of another make is written)
	exec 8>> "$log.lock"
	flock 8
	TIME=$(now_iso)
	steps=$dir/steps.${QE_EOD_MAKE_PID:-$PPID}.tsv
	[ -f "$steps" ] || : > "$steps"
	{
		echo "$ALERT_HEADER"
		if [ "$status" = ok ]; then collect_alerts; fi
		if [ "$status" != ok ]; then
			alert step_failed critical "$fstep" "step $fstep${ftool:+ ($ftool)} failed with exit $frc" "$o/$fstep"
		fi
	} > "$o/alerts.csv.tmp" && commit_file "$o/alerts.csv.tmp" "$o/alerts.csv" || return 4
	rc=0
	[ "$status" = ok ] || rc=$frc
	write_metrics "$status" "$rc" "$steps" "$o/alerts.csv" "$o/metrics.prom" || return 4
	if [ -n "${QE_METRICS_DIR:-}" ]; then
		mkdir -p "$QE_METRICS_DIR" && cp "$o/metrics.prom" "$QE_METRICS_DIR/.qe_eod.prom.$$" &&
			commit_file "$QE_METRICS_DIR/.qe_eod.prom.$$" "$QE_METRICS_DIR/qe_eod.prom" ||
			echo "eod: warning: cannot write metrics to $QE_METRICS_DIR" >&2
	fi
	# the previous manifest of the chain: the audit log's last entry
	prev=
	if [ -s "$log" ]; then
		prev=$(awk -F, 'END { if (NR > 1) print $NF }' "$log")
		[ -n "$prev" ] && [ -f "$(dirname "$log")/manifests/$prev.csv" ] &&
			prev="$(dirname "$log")/manifests/$prev.csv $(bytes_of "$(dirname "$log")/manifests/$prev.csv") $prev"
	fi
	write_manifest "$status" "$fstep" "$ftool" "$frc" "$steps" "$prev" "$o/manifest.csv" || return 4
	h=$(sha256_of "$o/manifest.csv")
	cp "$o/manifest.csv" "$(dirname "$log")/manifests/.$h.csv.$$" &&
		commit_file "$(dirname "$log")/manifests/.$h.csv.$$" "$(dirname "$log")/manifests/$h.csv" || return 4
	[ -s "$log" ] || echo "seq,time,run_id,asof,status,root,manifest,previous,sha256" > "$log"
	seq=$(awk 'END { print NR }' "$log")
	csv_row "$seq" "$TIME" "$QE_RUN_ID" "$QE_EOD_ASOF" "$status" "$(pwd)" "$o/manifest.csv" \
		"${prev##* }" "$h" >> "$log" || return 4
	# the records of earlier make processes of this directory are done with
	find "$dir" -maxdepth 1 -name 'steps.*.tsv' ! -name "steps.${QE_EOD_MAKE_PID:-$PPID}.tsv" -delete 2>/dev/null
	exec 8>&-
	if [ -n "${QE_ALERT_CMD:-}" ]; then
		tail -n +2 "$o/alerts.csv" | while IFS= read -r line; do
			printf '%s\n%s\n' "$ALERT_HEADER" "$line" | /bin/sh -c "$QE_ALERT_CMD" ||
				echo "eod: warning: QE_ALERT_CMD failed (exit $?) on: $line" >&2
		done
	fi
	n=$(rows_of "$o/alerts.csv")
	[ "$n" -eq 0 ] || echo "eod: $n alert(s) in $o/alerts.csv" >&2
	return 0
}

# ---- run --------------------------------------------------------------------
cmd_run() {
	lock=${EOD_LOCK:-out/eod/.lock}
	mkdir -p "$(dirname "$lock")" || exit 4
	exec 9>> "$lock"
	if ! flock -n 9; then
		if [ "${EOD_WAIT:-0}" -gt 0 ]; then
			echo "eod: another run holds $lock; waiting up to ${EOD_WAIT}s" >&2
			flock -w "$EOD_WAIT" 9 || { echo "eod: another run still holds $lock after ${EOD_WAIT}s; not started" >&2; exit 75; }
		else
			echo "eod: another run holds $lock; not started (EOD_WAIT=SECONDS waits for it)" >&2
			exit 75
		fi
	fi
	QE_EOD_STATUS=$(mktemp "${TMPDIR:-/tmp}/qe-eod-status.XXXXXX") || exit 4
	export QE_EOD_STATUS
	rc=0
	"$@" || rc=$?
	if [ "$rc" -ne 0 ]; then
		if [ -s "$QE_EOD_STATUS" ]; then cat "$QE_EOD_STATUS" >&2; else echo "eod: FAILED: make exit $rc" >&2; fi
	fi
	rm -f "$QE_EOD_STATUS"
	exit "$rc"
}

what=${1:-}
[ $# -gt 0 ] && shift
case $what in
stamp) cmd_stamp "$@" ;;
step) cmd_step "$@" ;;
finish) finish "$@" ;;
run) cmd_run "$@" ;;
*)
	echo "usage: ops.sh run|stamp|step|finish ..." >&2
	exit 2
	;;
esac
