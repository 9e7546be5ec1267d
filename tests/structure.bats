#!/usr/bin/env bats
# The shape of the tree (ARCHITECTURE.md): lib/ in the layers of
# lib/LAYERS, includes naming their folder, no folder reaching up.

load helpers

# copy of the tree's lib/ and cmd/ to break on purpose
mini_tree() {
	mkdir -p t/mk
	cp -r "$QE_TOP/lib" "$QE_TOP/cmd" t/
	cp "$QE_TOP/mk/layers.sh" t/mk/
}

@test "layers: the tree keeps the order of lib/LAYERS" {
	run sh "$QE_TOP/mk/layers.sh" "$QE_TOP"
	assert_success
	assert_output ""
}

@test "layers: an include from a higher layer fails, naming file and line" {
	mini_tree
	printf '#include "risk/varcalc.h"\n' >> t/lib/io/csvio.c
	run sh t/mk/layers.sh t
	assert_failure
	assert_output --partial 'lib/io/csvio.c:'
	assert_output --partial 'reaches up from io to risk'
}

@test "layers: two folders including each other fail" {
	mini_tree
	# price below risk by LAYERS; make both reach each other
	printf '#include "risk/varmeas.h"\n' >> t/lib/price/kirk.c
	printf '#include "price/kirk.h"\n' >> t/lib/risk/varmeas.c
	run sh t/mk/layers.sh t
	assert_failure
	assert_output --partial 'include each other'
}

@test "layers: a bare include in lib/ and an unknown folder fail" {
	mini_tree
	printf '#include "csvio.h"\n' >> t/lib/market/fxrate.c
	mkdir t/lib/misc && printf '#include "core/diag.h"\n' > t/lib/misc/x.c
	run sh t/mk/layers.sh t
	assert_failure
	assert_output --partial 'does not name its folder'
	assert_output --partial 'lib/misc is not listed'
}

@test "layers: every folder of lib/ is a layer and nothing lies loose in lib/" {
	cd "$QE_TOP/lib"
	for d in */; do
		grep -q "^${d%/} " LAYERS || fail "lib/$d missing from lib/LAYERS"
	done
	loose=$(find . -maxdepth 1 -type f ! -name LAYERS)
	[ -z "$loose" ] || fail "loose files in lib/: $loose"
}

@test "tree: no stray files at the top" {
	cd "$QE_TOP"
	for f in $(git ls-files | grep -v / ); do
		case $f in
		Makefile|README.md|ARCHITECTURE.md|.gitignore) ;;
		*) fail "unexpected top-level file $f" ;;
		esac
	done
}

@test "layers: cmd/ may include its subcommand folders' headers, not unknown ones" {
	mini_tree
	mkdir -p t/cmd/demo && printf '/* x */\n' > t/cmd/demo/demo.h
	printf '#include "demo/demo.h"\n' > t/cmd/qe-demo.c
	run sh t/mk/layers.sh t
	assert_success
	printf '#include "nodir/demo.h"\n' >> t/cmd/qe-demo.c
	run sh t/mk/layers.sh t
	assert_failure
	assert_output --partial 'cmd/qe-demo.c:2: include "nodir/demo.h" names no folder'
}

@test "lib: changes no process-wide state (umask, GSL handler, environment, cwd, locale, re-exec)" {
	cd "$QE_TOP"
	# openblas_set_num_threads in lib/risk/varcalc.c is handled apart
	run bash -c "grep -nE '\\bumask *\\(|gsl_set_error_handler|/proc/self/exe|\\b(setenv|unsetenv|putenv|chdir|fchdir|setlocale|execv|execvp|execl) *\\(' lib/*/*.c lib/*/*.h |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\\*|//)'"
	assert_output ""
	# nor does a tool re-execute itself (qe finds its siblings through
	# /proc/self/exe, as git finds its exec-path, and runs them instead)
	run grep -rnE 'exec[a-z]* *\( *"/proc/self/exe"|setenv *\(' cmd
	assert_output ""
}

@test "cmd: every tool's main calls cli_init, which turns GSL's abort handler off once" {
	cd "$QE_TOP"
	for f in cmd/qe*.c; do
		grep -q 'cli_init(argv\[0\])' "$f" || fail "$f: main does not call cli_init"
	done
	sed -n '/^void cli_init/,/^}/p' cmd/cli.c | grep -q 'gsl_set_error_handler_off()' ||
		fail "cli_init does not turn GSL's error handler off"
}

@test "ci: make check, then make sanitize, then the whole tree built with clang -Werror; deps installs clang" {
	cd "$QE_TOP"
	run grep -nE '^make check$|^make (-j2 )?sanitize$|^make .*CC=clang .*WERROR=-Werror' .ci/run
	assert_success
	[ "${#lines[@]}" -eq 3 ] || fail "want 'make check', 'make sanitize' and a clang build in .ci/run: $output"
	[[ "${lines[0]}" == *"make check" ]] || fail "make check must come first: $output"
	[[ "${lines[1]}" == *"sanitize" ]] || fail "make sanitize must follow make check: $output"
	grep -qw clang mk/deps.sh || fail "mk/deps.sh does not install clang"
	grep -qw libomp-dev mk/deps.sh || fail "mk/deps.sh does not install clang's OpenMP runtime"
}

@test "sanitize: leaks are detected; every suppression is a third-party library with a reason" {
	rule=$(sed -n '/^sanitize:/,/^$/p' "$QE_TOP/Makefile")
	[[ "$rule" == *detect_leaks=1* ]] || fail "make sanitize does not detect leaks: $rule"
	[[ "$rule" == *'suppressions=$(CURDIR)/mk/lsan.supp'* ]] || fail "make sanitize does not use mk/lsan.supp"
	[[ "$rule" != *detect_leaks=0* ]] || fail "leak detection switched off"
	prev=
	while IFS= read -r line; do
		case $line in
		leak:*)
			[[ "$prev" == "#"* ]] || fail "mk/lsan.supp: '$line' has no reason on the line before"
			case ${line#leak:} in
			*qe*|*lib/*|*cmd/*|*cli_*|*csvr_*|*h5tab_*|*ingest_*) fail "mk/lsan.supp: '$line' names our own code" ;;
			esac ;;
		""|"#"*) ;;
		*) fail "mk/lsan.supp: unexpected line '$line'" ;;
		esac
		prev=$line
	done < "$QE_TOP/mk/lsan.supp"
}
