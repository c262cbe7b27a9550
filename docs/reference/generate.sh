#!/usr/bin/env bash
# Render the collection's plugin and role reference (RST, the format of docs.ansible.com) with antsibull-docs.
#
#   docs/reference/generate.sh [DEST]      default DEST: docs/reference/rst
#
# Needs the test environment (tools/setup-env.sh installs antsibull-docs). The rendered reference is checked in;
# tools/test.sh renders it again into a scratch directory and fails when a documentation error appears or the checked-in
# copy is out of date.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="${1:-$repo_root/docs/reference/rst}"

# antsibull-docs finds the collection through ansible's collection search path: a link tree to this checkout.
links="$(mktemp -d "${TMPDIR:-/tmp}/vmrescue-docs.XXXXXX")"
trap 'rm -rf "$links"' EXIT
mkdir -p "$links/ansible_collections/vmrescue"
ln -s "$repo_root" "$links/ansible_collections/vmrescue/windows"

rm -rf "$dest"
mkdir -p "$dest"
ANSIBLE_COLLECTIONS_PATH="$links" antsibull-docs collection --use-current --squash-hierarchy \
  --fail-on-error --dest-dir "$dest" vmrescue.windows
printf 'reference written to %s\n' "$dest"
