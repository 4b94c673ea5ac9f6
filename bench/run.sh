#!/usr/bin/env bash
# Every benchmark, on the `node` first on the PATH: the project's Node 24 under `npm run bench`,
# another version with `bash tools/on-node.sh VERSION bash bench/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "node $(node --version)"
for f in bench/*.bench.ts; do
  echo "== $f"
  node --stack-trace-limit=0 -r tsx/cjs "$f"
done
