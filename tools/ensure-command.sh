#!/usr/bin/env bash
# usage: ensure-command.sh COMMAND DEBIAN_PACKAGE
# Tests and benches run real programs (knot's knotd, dnsperf). Install the package when the
# command is missing and this machine can (root with apt-get, as on CI); otherwise say how, and fail.
set -euo pipefail
command="$1"
package="$2"
export PATH="$PATH:/usr/sbin:/usr/local/sbin"
if command -v "$command" >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's $package for $command" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  exit 0
fi
echo "$command is missing: install Debian's $package (sudo apt-get install $package)" >&2
exit 1
