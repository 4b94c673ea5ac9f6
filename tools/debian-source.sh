#!/usr/bin/env bash
# usage: debian-source.sh PACKAGE...
# Unpacks the upstream tarball of each Debian source package into .tmp/debian-source/PACKAGE/,
# for tests and benches that read files other projects wrote (real DMARC reports, say).
# apt-get does the download and checks it against Debian's signed Sources index. Its state lives
# in .tmp/debian-source/apt/, so the machine's own apt setup is read, never changed: the deb-src
# entries are the machine's deb entries, whatever mirror those name. Already unpacked: nothing to do.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)/.tmp/debian-source"
missing=()
for package in "$@"; do
  [ -f "$root/$package/.unpacked" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "apt-get is missing: the sample files come from Debian's source packages ${missing[*]}" >&2
  exit 1
fi

apt="$root/apt"
mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/cache/archives/partial"
rm -f "$apt/sources/"*
for file in /etc/apt/sources.list.d/*.sources; do
  [ -f "$file" ] && sed -E 's/^Types:.*/Types: deb-src/' "$file" >"$apt/sources/$(basename "$file")"
done
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$file" ] && sed -nE 's/^deb (.*)/deb-src \1/p' "$file" >"$apt/sources/$(basename "$file").list"
done
options=(-qq -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources"
  -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=$(id -un)")
echo "fetching Debian's source packages ${missing[*]}" >&2
apt-get "${options[@]}" update
for package in "${missing[@]}"; do
  work="$apt/download/$package"
  rm -rf "$work" "$root/$package"
  mkdir -p "$work" "$root/$package"
  # --tar-only: the upstream tarball, which holds the project's own test files; Debian's packaging is not needed.
  (cd "$work" && apt-get "${options[@]}" source --download-only --tar-only "$package" >/dev/null)
  tarball=$(ls "$work"/*.orig.tar.* | head -n 1)
  tar -xf "$tarball" -C "$root/$package" --strip-components=1
  basename "$tarball" >"$root/$package/.unpacked"
done
