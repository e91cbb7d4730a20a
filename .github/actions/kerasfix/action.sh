#!/usr/bin/env bash
# The steps of the kerasfix GitHub Action (action.yml at the repository root), kept in one
# script so they run the same on a runner and in the test suite.
#
#   action.sh install   pip-installs kerasfix: by default the action's own checkout
#                       (GITHUB_ACTION_PATH: no package index or network needed for kerasfix
#                       itself); INPUT_VERSION only when given: a version (`0.1.0`, `v0.1.0`:
#                       `kerasfix==0.1.0` from your package index) or any pip requirement,
#                       e.g. `kerasfix @ git+https://HOST/OWNER/kerasfix@COMMIT`
#   action.sh lint      runs `kerasfix lint` on INPUT_PATHS with INPUT_OUTPUT_FORMAT,
#                       INPUT_FAIL_LEVEL and INPUT_ARGS; writes INPUT_SARIF_FILE if set
#                       (a second run, whose warnings and errors are not printed again);
#                       records exit-code in GITHUB_OUTPUT and exits with it
#
# KERASFIX_PYTHON names the interpreter (default python3).
set -euo pipefail

python="${KERASFIX_PYTHON:-python3}"

install() {
  local spec
  if [ -z "${INPUT_VERSION:-}" ]; then
    spec="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  elif [[ "$INPUT_VERSION" =~ ^v?[0-9][0-9a-zA-Z.+-]*$ ]]; then
    spec="kerasfix==${INPUT_VERSION#v}"
  else
    spec="$INPUT_VERSION"
  fi
  echo "::group::pip install $spec"
  "$python" -m pip install --disable-pip-version-check "$spec"
  echo "::endgroup::"
}

lint() {
  local -a paths extra args
  set -f  # paths and arguments are split on whitespace, never globbed
  # shellcheck disable=SC2206
  paths=(${INPUT_PATHS:-.})
  # shellcheck disable=SC2206
  extra=(${INPUT_ARGS:-})
  set +f
  [ "${#paths[@]}" -gt 0 ] || paths=(.)
  args=(lint --output-format "${INPUT_OUTPUT_FORMAT:-github}")
  if [ -n "${INPUT_FAIL_LEVEL:-}" ]; then
    args+=(--fail-level "$INPUT_FAIL_LEVEL")
  fi
  local sarif_status=0 status=0 logs
  logs="$(mktemp -d)"
  # The report for the pull request; its stderr (`warning:`/`error:` lines) is kept to
  # compare with the SARIF run's, then shown.
  "$python" -m kerasfix "${args[@]}" ${extra[@]+"${extra[@]}"} "${paths[@]}" \
    2>"$logs/lint" || status=$?
  cat "$logs/lint" >&2
  if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    # Same paths and options, so the same warnings: print only lines the run above did not
    # (e.g. an unwritable SARIF file), so each warning appears once.
    "$python" -m kerasfix lint --output-format sarif -o "$INPUT_SARIF_FILE" --exit-zero \
      ${extra[@]+"${extra[@]}"} "${paths[@]}" 2>"$logs/sarif" || sarif_status=$?
    grep -vxF -f "$logs/lint" "$logs/sarif" >&2 || true
  fi
  rm -rf "$logs"
  if [ "$status" -eq 0 ] && [ "$sarif_status" -ne 0 ]; then
    status=$sarif_status
  fi
  echo "exit-code=$status" >> "${GITHUB_OUTPUT:-/dev/null}"
  return "$status"
}

case "${1:-}" in
  install) install ;;
  lint) lint ;;
  *) echo "usage: $0 install|lint" >&2; exit 2 ;;
esac
