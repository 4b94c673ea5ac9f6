#!/usr/bin/env bash
# npm's pretest: the verify tests run a real DNS server, Debian's knot. Install it when it is
# missing and this machine can (root with apt-get, as on CI); otherwise say how, and fail.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/usr/local/sbin"
if command -v knotd >/dev/null && command -v knotc >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "pretest: installing Debian's knot for the verify tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends knot >/dev/null
  exit 0
fi
echo "pretest: the verify tests need Debian's knot DNS server (knotd, knotc): sudo apt-get install knot" >&2
exit 1
