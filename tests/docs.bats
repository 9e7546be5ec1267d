#!/usr/bin/env bats
# The documentation runs as written: every command of the README tour (the
# fenced sh blocks of its section "A tour with the bundled data") and every
# EXAMPLES block of the man pages (man/*.1, *.5, *.7, as mandoc renders them
# for a reader), each in a scratch copy of what the examples read (data/,
# pipelines/, tests/data/), with the tools and then /usr/bin first on PATH
# (the documented system is Debian 12, whose python3 is /usr/bin/python3
# with h5py).  A command fails the test with its text and its standard
# error when it exits non-zero.
#
# Conventions the test understands:
#   - README: a tour command is one line (backslash continuations joined);
#     lines that are only a comment are skipped; the commands run in order
#     in one directory, so a later one may read what an earlier one wrote;
#     then each one-line example of a paragraph "Example: `COMMAND` ...".
#     `make eod` runs the pipeline of the top-level target
#     (make -f pipelines/eod.mk QE_BIN=...) in the scratch copy: the build
#     that `make eod` starts with is the one under test.
#   - man pages: a block is a run of lines of a display (.Dl, .Bd -literal)
#     and runs as one script under `bash -e -o pipefail`; the blocks of a
#     page run in order in one directory (a fresh one for each page).
#   - a command or block whose documented exit status is not 0 ends its
#     last line with the comment `# exit N`; it must then exit N.
#   - a pipeline that ends in a reader that stops early (`| head`) may kill
#     the writer with SIGPIPE: exit 141 counts as 0 for a command with a `|`.

load helpers

# docs_scratch DIR: the files the examples name, copied
docs_scratch() {
	mkdir -p "$1/tests"
	cp -r "$QE_TOP/data" "$QE_TOP/pipelines" "$1/"
	cp -r "$QE_TOP/tests/data" "$1/tests/"
}

# docs_run DIR FILE LABEL: runs the NUL-separated commands of FILE in DIR;
# prints a report of each failure, and "N commands" when none failed.
docs_run() {
	local dir=$1 list=$2 label=$3 cmd run_cmd want rc n=0 failures=
	while IFS= read -r -d '' cmd; do
		n=$((n + 1))
		want=0
		if [[ $cmd =~ \#[[:space:]]*exit[[:space:]]+([0-9]+)[[:space:]]*$ ]]; then
			want=${BASH_REMATCH[1]}
		fi
		run_cmd=$cmd
		if [[ $cmd == "make eod"* ]]; then
			run_cmd="make --no-print-directory -f pipelines/eod.mk QE_BIN='$QE_BIN'${cmd#make eod}"
		fi
		rc=0
		(cd "$dir" && PATH="$QE_BIN:/usr/bin:$PATH" bash -e -o pipefail -c "$run_cmd") \
			> "$dir/.stdout" 2> "$dir/.stderr" < /dev/null || rc=$?
		if [ "$rc" -eq 141 ] && [[ $cmd == *"|"* ]]; then rc=0; fi
		if [ "$rc" -ne "$want" ]; then
			failures="$failures
$label: exit $rc (documented: $want):
$cmd
stderr: $(head -c 2000 "$dir/.stderr")
"
		fi
	done < "$list"
	if [ -n "$failures" ]; then
		echo "$failures"
	else
		echo "$n commands"
	fi
}

@test "docs: every command of the README tour (and its other examples) runs as written" {
	"$PYORACLE" - "$QE_TOP/README.md" > tour <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^## A tour with the bundled data\n(.*?)(?=^## )", text, re.S | re.M)
assert m, "README.md has no section '## A tour with the bundled data'"
blocks = re.findall(r"^```sh\n(.*?)^```", m.group(1), re.S | re.M)
assert blocks, "no ```sh block in the tour"
for block in blocks:
    for cmd in re.sub(r"\\\n", " ", block).split("\n"):
        if cmd.strip() and not cmd.lstrip().startswith("#"):
            sys.stdout.write(cmd + "\0")
# and the one-line examples elsewhere ("Example: `qe-...`")
for cmd in re.findall(r"^Example: `([^`]+)`", text, re.M):
    sys.stdout.write(cmd + "\0")
EOF
	[ "$(tr -cd '\0' < tour | wc -c)" -ge 15 ]
	docs_scratch work
	run docs_run work tour "README.md tour"
	assert_output --regexp '^[0-9]+ commands$'
}

@test "docs: every EXAMPLES block of the man pages runs as written" {
	total=0 pages=0 failures=
	for page in "$QE_TOP"/man/*.[157]; do
		mandoc -Tascii -Owidth=400 "$page" > rendered
		"$PYORACLE" - rendered > blocks <<'EOF'
import re, sys
text = re.sub(r".\x08", "", open(sys.argv[1]).read())
m = re.search(r"^EXAMPLES\n(.*?)(?=^[A-Z])", text, re.S | re.M)
if m:
    # prose is indented 5 columns, displays 11 (.Dl, .Bd -offset indent)
    block = []
    for line in m.group(1).split("\n") + [""]:
        if line.startswith(" " * 11):
            block.append(line[11:])
        elif block:
            sys.stdout.write("\n".join(block) + "\0")
            block = []
EOF
		n=$(tr -cd '\0' < blocks | wc -c)
		[ "$n" -gt 0 ] || continue
		pages=$((pages + 1)) total=$((total + n))
		rm -rf work && docs_scratch work
		out=$(docs_run work blocks "$(basename "$page") EXAMPLES")
		[[ $out =~ ^[0-9]+\ commands$ ]] || failures="$failures$out"
	done
	[ -z "$failures" ] || fail "$failures"
	[ "$pages" -ge 6 ]
	[ "$total" -ge 20 ]
}
