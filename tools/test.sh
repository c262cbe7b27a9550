#!/usr/bin/env bash
# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# THE test command: every quality gate of the collection, on a fresh Debian machine with Python 3.11.
#
#   tools/test.sh                 run every gate
#   tools/test.sh lint sanity     run only the named gates (the environment gate always runs first)
#   VMRESCUE_FAIL_FAST=1 tools/test.sh   stop at the first failing gate
#
# Each gate prints its name; a summary with the time of each gate ends the run. The exit code is 0 only when every
# gate that ran passed. Nothing here reads the Internet except PyPI (pip) — no Galaxy, no containers.
# Gates are called indirectly ("gate_$name"), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# ansible-core refuses to run under a non-UTF-8 locale, and a fresh machine often has none set.
export LC_ALL=C.UTF-8
export PYTHONDONTWRITEBYTECODE=1
export ANSIBLE_NOCOLOR=1
export ANSIBLE_FORCE_COLOR=0
export PY_COLORS=0

all_gates=(environment pytest lint sanity units build molecule docs changelog)
# ansible-test keeps its virtual environments and pip bootstrap here between runs (safe to delete).
ansible_test_home="$repo_root/.cache/ansible-test-home"
collections_root="$repo_root/.cache/collections"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/vmrescue-test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# Helpers

# The repository is the collection root; ansible finds it through a link tree ansible_collections/vmrescue/windows
# (the same one the root conftest.py makes for pytest).
ensure_collection_link() {
  mkdir -p "$collections_root/ansible_collections/vmrescue"
  ln -sfn "$repo_root" "$collections_root/ansible_collections/vmrescue/windows"
  export ANSIBLE_COLLECTIONS_PATH="$collections_root"
}

# Files that belong to the repository: tracked plus untracked-but-not-ignored (so work in progress is tested too).
repository_files() {
  git -C "$repo_root" ls-files -z --cached --others --exclude-standard
}

# ansible-test must run from a real .../ansible_collections/vmrescue/windows directory (it resolves symlinks), so
# it gets a copy of the repository's files outside the repository's git work tree.
make_ansible_test_tree() {
  local tree="$scratch/ansible-test/ansible_collections/vmrescue/windows"
  rm -rf "$scratch/ansible-test"
  mkdir -p "$tree"
  repository_files | while IFS= read -r -d '' path; do
    [[ -e "$path" ]] && printf '%s\0' "$path"
  done | tar -C "$repo_root" --null -T - -cf - | tar -C "$tree" -xf -
  # Tests read the real-world samples from <collection root>/../shared/data, as beside the checkout.
  if [[ -d "$repo_root/../shared" ]]; then
    ln -sfn "$(cd "$repo_root/../shared" && pwd)" "$(dirname "$tree")/shared"
  fi
  printf '%s\n' "$tree"
}

# ansible-test --venv bootstraps pip from ci-files.testing.ansible.com, which a plain machine may not reach. Its
# error message invites saving the bootstrap script in its cache; ours runs the same pip release from PyPI's wheel.
ensure_ansible_test_pip_bootstrap() {
  local pip_version cache wheel
  pip_version="$(python - <<'EOF'
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version="3.11"))["pip"])
EOF
)"
  cache="$ansible_test_home/.ansible/test/cache"
  wheel="$cache/pip-$pip_version-py3-none-any.whl"
  mkdir -p "$cache"
  if [[ ! -f "$wheel" ]]; then
    python -m pip download --quiet --no-deps --only-binary=:all: -d "$cache" "pip==$pip_version"
  fi
  cat >"$cache/get_pip_${pip_version//./_}.py" <<EOF
"""Written by tools/test.sh: install pip $pip_version into ansible-test's virtual environment from its wheel."""
import runpy
import sys
import tempfile
import zipfile

# ansible-test passes get-pip.py options; these two only matter to get-pip.py itself.
options = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
unpacked = tempfile.mkdtemp(prefix="vmrescue-pip-")
with zipfile.ZipFile("$wheel") as wheel:
    wheel.extractall(unpacked)
sys.path.insert(0, unpacked)
# --force-reinstall: pip would otherwise see the unpacked copy on sys.path as already installed.
sys.argv = ["pip", "install", "--force-reinstall", *options]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF
}

ansible_test() {
  HOME="$ansible_test_home" ansible-test "$@" --venv --python 3.11 --color no
}

# Runs a command, shows its output, and fails when the output has an ansible [WARNING] or [ERROR].
run_without_warnings() {
  local output
  if ! output="$("$@" 2>&1)"; then
    printf '%s\n' "$output" >&2
    log "FAILED: $*"
    return 1
  fi
  if grep -E '^\[(WARNING|ERROR|DEPRECATION WARNING)\]' <<<"$output" >&2; then
    log "FAILED (warnings above): $*"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Gates

# Runs in this shell (its venv must reach the other gates) inside an `if`, where errexit is off: hence the returns.
gate_environment() {
  local venv
  venv="$(bash "$repo_root/tools/setup-env.sh" | tail -n 1)" || return 1
  [[ -x $venv/bin/python ]] || { log "tools/setup-env.sh did not print a virtualenv path"; return 1; }
  # shellcheck disable=SC1091
  source "$venv/bin/activate" || return 1
  python --version || return 1
  ensure_collection_link || return 1
}

gate_pytest() {
  local status=0
  # test_build_install.py runs in the build gate, so its time is counted there.
  python -m pytest -n "${VMRESCUE_PYTEST_WORKERS:-2}" -p no:cacheprovider \
    --ignore=tests/e2e/test_build_install.py tests/unit tests/simulator_tests tests/e2e || status=$?
  if ((status == 5)); then
    log "pytest collected no tests: an empty suite is a failure"
  fi
  return "$status"
}

gate_lint() {
  ansible-lint --version
  # .ansible-lint sets the production profile and offline mode (no Galaxy).
  ansible-lint --nocolor
}

gate_sanity() {
  local tree
  ensure_ansible_test_pip_bootstrap
  tree="$(make_ansible_test_tree)"
  (cd "$tree" && ansible_test sanity)
}

gate_units() {
  local tree
  if ! find tests/unit -name 'test_*.py' -print -quit | grep -q .; then
    log "tests/unit has no test files: an empty suite is a failure"
    return 1
  fi
  ensure_ansible_test_pip_bootstrap
  tree="$(make_ansible_test_tree)"
  # hivex comes from Debian (no wheel exists), so the units venv also sees the system site-packages.
  (cd "$tree" && ansible_test units --venv-system-site-packages)
}

gate_build() {
  # Builds the tarball, installs it into an empty collections path, runs a playbook from it against a simulator,
  # checks the tarball's contents and the execution-environment definition.
  local status=0
  python -m pytest -p no:cacheprovider tests/e2e/test_build_install.py || status=$?
  if ((status == 5)); then
    log "tests/e2e/test_build_install.py collected no tests"
  fi
  return "$status"
}

gate_molecule() {
  # The Molecule scenario against a simulator: converge, idempotence, verify (values read back with regipy).
  # extensions/molecule/default picks a fixed port; VMRESCUE_MOLECULE_PORT moves it.
  molecule --version
  molecule test -s default
}

gate_docs() {
  local plugin_type names name role found_modules
  shopt -s nullglob
  for plugin_type in module filter test lookup inventory callback connection become; do
    names="$(ansible-doc -t "$plugin_type" --list --json vmrescue.windows 2>/dev/null \
      | python -c 'import json, sys; print("\n".join(sorted(json.load(sys.stdin))))')"
    for name in $names; do
      log "ansible-doc -t $plugin_type $name"
      run_without_warnings ansible-doc -t "$plugin_type" "$name" >/dev/null
    done
    if [[ $plugin_type == module ]]; then
      found_modules="$names"
    fi
  done
  # A module whose documentation cannot be loaded is silently missing from --list: compare with the files.
  for name in plugins/modules/*.py; do
    name="$(basename "$name" .py)"
    [[ $name == __init__ ]] && continue
    if ! grep -qx "vmrescue.windows.$name" <<<"$found_modules"; then
      log "plugins/modules/$name.py is not listed by ansible-doc (its documentation does not load)"
      return 1
    fi
  done
  for role in roles/*/; do
    role="$(basename "$role")"
    if [[ ! -f roles/$role/meta/argument_specs.yml ]]; then
      log "roles/$role has no meta/argument_specs.yml"
      return 1
    fi
    log "ansible-doc -t role vmrescue.windows.$role"
    run_without_warnings ansible-doc -t role "vmrescue.windows.$role" >/dev/null
  done
  # AWX surveys must only offer variables, types and choices the roles accept.
  python awx/check_surveys.py
  # antsibull-docs checks the documentation markup (O(), V(), RV(), links) and renders the reference.
  antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .
  bash docs/reference/generate.sh "$scratch/reference"
  # The rendered reference is checked in (docs/reference/rst) so it can be read without building it: it must be current.
  if ! diff -r -q docs/reference/rst "$scratch/reference"; then
    log "docs/reference/rst is out of date: run docs/reference/generate.sh and commit the result"
    return 1
  fi
}

gate_changelog() {
  antsibull-changelog lint
}

# ---------------------------------------------------------------------------------------------------------------
# Runner

declare -a summary=()
failed=0

# Runs one gate in a subshell with errexit on; records its status in $last_status and the summary.
run_gate() {
  local gate="$1" started status
  log ""
  log "=== gate: $gate"
  started=$SECONDS
  set +e
  (
    set -euo pipefail
    "gate_$gate"
  )
  status=$?
  set -e
  local elapsed=$((SECONDS - started))
  if ((status == 0)); then
    summary+=("$(printf '%-12s passed  %4ds' "$gate" "$elapsed")")
  else
    summary+=("$(printf '%-12s FAILED  %4ds  (exit %d)' "$gate" "$elapsed" "$status")")
    failed=1
  fi
  last_status=$status
}

print_summary() {
  log ""
  log "=== summary"
  printf '%s\n' "${summary[@]}" >&2
  log "total: $((SECONDS))s"
}

selected=("$@")
if ((${#selected[@]} == 0)); then
  selected=("${all_gates[@]:1}")
fi
for gate in "${selected[@]}"; do
  if ! declare -F "gate_$gate" >/dev/null; then
    log "unknown gate '$gate'; gates: ${all_gates[*]}"
    exit 2
  fi
done

# The environment gate runs in this shell (not a subshell) so the activated venv reaches every later gate.
log "=== gate: environment"
started=$SECONDS
if ! gate_environment; then
  summary+=("$(printf '%-12s FAILED  %4ds' environment $((SECONDS - started)))")
  print_summary
  exit 1
fi
summary+=("$(printf '%-12s passed  %4ds' environment $((SECONDS - started)))")

# run_gate is never called as a condition (`if`, `||`): bash would switch errexit off inside the gate's subshell.
last_status=0
for gate in "${selected[@]}"; do
  [[ $gate == environment ]] && continue
  run_gate "$gate"
  if ((last_status != 0)) && [[ ${VMRESCUE_FAIL_FAST:-0} == 1 ]]; then
    break
  fi
done

print_summary
exit "$failed"
