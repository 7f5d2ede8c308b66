#!/bin/sh
# Installs the Debian (bookworm) packages libtriage needs to build and test.
# Idempotent; run as root (or through sudo).
set -eu
PKGS="gcc g++ pkg-config meson ninja-build uuid-dev libsqlite3-dev libcmocka-dev libjansson-dev
      swig python3 python3-dev python3-pytest python3-holidays python3-scipy python3-numpy python3-simpy
      python3-pandas python3-matplotlib python3-mypy
      sqlite3 binutils abigail-tools clang libclang-rt-14-dev postgresql libpq-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
