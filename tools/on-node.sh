#!/usr/bin/env bash
# usage: on-node.sh VERSION COMMAND [ARGS…]
# Runs COMMAND with Node.js VERSION first on the PATH, fetched once from the npm registry (the
# `node` package installs the official binary) into .tmp/, whatever Node this machine has. CI uses
# it to run the suite on Node 22 as well as on the project's own Node 24 (the node devDependency).
set -euo pipefail
version="$1"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.tmp/node-$version"
if [ ! -x "$prefix/node_modules/.bin/node" ]; then
  mkdir -p "$prefix"
  # The node package's preinstall fetches the binary: allow it, as package.json does for Node 24.
  echo '{"private": true, "allowScripts": {"node": true}}' > "$prefix/package.json"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund "node@$version" >&2
fi
export PATH="$prefix/node_modules/.bin:$PATH"
exec "$@"
