#!/usr/bin/env bash
# The library's dist/ (npm run build; npm pack runs it first): lib/, components/, policy/ and, for the
# bin, tools/ compiled by tsc, and the provider schemas tools/ reads when it reads a stack export.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
tsc -p tsconfig.build.json
mkdir -p dist/tools/provider-schemas
cp tools/provider-schemas/*.json dist/tools/provider-schemas/
