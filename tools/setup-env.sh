#!/usr/bin/env bash
# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Prepare the controller environment the collection's tests and demo need, idempotently:
#   - python3-hivex (Debian package: hivex has no PyPI wheel), python3-venv, and the ShellCheck program that
#     ansible-test's sanity test for shell scripts runs, via apt only when missing;
#   - a virtualenv that sees hivex (--system-site-packages), at $VMRESCUE_VENV (default <repo>/.venv);
#   - the pinned test requirements.
# Prints the virtualenv path on its last line so callers can capture it.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VMRESCUE_VENV:-$repo_root/.venv}"
system_python=/usr/bin/python3

log() { printf 'setup-env: %s\n' "$*" >&2; }

need_apt_packages=()
if ! "$system_python" -c 'import hivex' 2>/dev/null; then
  need_apt_packages+=(python3-hivex)
fi
if ! "$system_python" -c 'import ensurepip, venv' 2>/dev/null; then
  need_apt_packages+=(python3-venv)
fi
# Without ShellCheck, ansible-test sanity skips its shell-script test with only a warning: nothing is checked.
if ! command -v shellcheck >/dev/null 2>&1; then
  need_apt_packages+=(shellcheck)
fi
if ((${#need_apt_packages[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing ${need_apt_packages[*]} and not root: install them with apt-get, then re-run"
    exit 1
  fi
  log "installing ${need_apt_packages[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt_packages[@]}" >&2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  "$system_python" -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c 'import hivex' 2>/dev/null; then
  log "$venv cannot import hivex: it must be created from $system_python with --system-site-packages"
  exit 1
fi

log "installing requirements/test.txt into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo_root/requirements/test.txt" >&2
echo "$venv"
