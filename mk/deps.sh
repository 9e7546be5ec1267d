#!/bin/sh
# Installs the Debian packages QuantaEnergi needs to build, test and
# benchmark, and the de_DE.UTF-8 locale the conventions tests use.
# Quick and silent when everything is present.
set -eu

PKGS="pkg-config postgresql-15 libpq-dev clang libomp-dev libopenblas-dev liblapacke-dev libgsl-dev libcsv-dev zlib1g-dev libhdf5-dev
libssl-dev libzip-dev libopenmpi-dev openmpi-bin bats bats-assert bats-support bats-file mandoc locales
python3 python3-numpy python3-scipy python3-mpmath python3-h5py python3-pandas python3-sklearn python3-statsmodels quantlib-python
miller hyperfine tzdata time prometheus strace bsdutils afl++ libxml2-utils chromium python3-pil fonts-dejavu-core
mosquitto libmosquitto-dev mosquitto-clients openssl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done

need_locale=0
locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' || need_locale=1

[ -z "$missing" ] && [ "$need_locale" = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing${need_locale:+ (and locale de_DE.UTF-8)}; run 'make deps' as root" >&2
	exit 1
fi

if [ -n "$missing" ]; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
fi

if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	echo "deps: generating locale de_DE.UTF-8" >&2
	if [ -f /etc/locale.gen ] && grep -q 'de_DE.UTF-8 UTF-8' /etc/locale.gen; then
		sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
	else
		echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
	fi
	locale-gen >/dev/null
fi
