# Shared bats setup: tools from $QE_BIN (set by make check), a scratch
# directory per test, the bats-support/assert/file helper libraries, and
# the QuantLib/numpy oracle interpreter.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

QE_TOP=${QE_TOP:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
QE_BIN=${QE_BIN:-$QE_TOP/bin}
PATH="$QE_BIN:$PATH"
export PATH QE_TOP QE_BIN
# Oracles (QuantLib, numpy, scipy, h5py, pandas) import only under Debian's python.
PYORACLE=/usr/bin/python3
DATA="$QE_TOP/data"

setup() {
	TMP="$BATS_TEST_TMPDIR"
	cd "$TMP" || return 1
}

bats_require_minimum_version 1.5.0

# run_split CMD...: like bats' run, but keeps stdout and stderr apart
# ($output = stdout, $stderr = stderr).
run_split() {
	run --separate-stderr "$@"
}
