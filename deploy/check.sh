#!/usr/bin/env bash
# Offline checks of everything under deploy/: no cluster, no Docker engine, no network
# except PyPI for the check tools themselves. Run from the repository root:
#
#   bash deploy/check.sh
#
# Steps (each prints PASS/FAIL/SKIP lines; the exit status is 1 if anything failed):
#   1. tools       kubectl (with kustomize) must be installed; the Python tools are
#                  installed into deploy/.venv-deploy from the hashed
#                  deploy/check-requirements.txt (PyPI only)
#   2. render      kubectl kustomize of every overlay -> deploy/.out/<overlay>.yaml
#   3. schemas     kubernetes-validate --strict against Kubernetes $K8S_VERSION for every
#                  built-in object; every custom resource against the operators' CRDs
#                  vendored in deploy/crds/ (unknown fields are errors)
#   4. yamllint    every YAML file under deploy/ (deploy/.yamllint)
#   5. hadolint    deploy/images/Dockerfile
#   6. checkov     the rendered overlays and the Dockerfile (deploy/.checkov.yaml), and
#                  a planted mistake for each pod rule left to checkov, which it must find
#   7. policy      deploy/checks/policy.py on the rendered overlays, the compose file
#                  and the Dockerfile, plus its self-test (known-bad variants must fail)
#
# Environment: K8S_VERSION (default 1.32.0), DEPLOY_CHECK_VENV (default deploy/.venv-deploy),
# DEPLOY_CHECK_INSTALLER=pip (install the tools with pip even where uv is available).
set -euo pipefail

started=$SECONDS
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

K8S_VERSION=${K8S_VERSION:-1.32.0}
VENV=${DEPLOY_CHECK_VENV:-deploy/.venv-deploy}
OUT=deploy/.out
REQUIREMENTS=deploy/check-requirements.txt

passed=0
failed=0
failures=()

pass() {
  passed=$((passed + 1))
  printf 'PASS  %s\n' "$1"
}
fail() {
  failed=$((failed + 1))
  failures+=("$1")
  printf 'FAIL  %s\n' "$1"
}
section() {
  printf '\n== %s\n' "$1"
}
# Indent the output of a failed tool, keeping the report readable.
show() {
  local limit=${2:-40} lines
  lines=$(wc -l <"$1")
  sed -e 's/^/        /' "$1" | cut -c1-400 | awk -v n="$limit" 'NR <= n'
  if ((lines > limit)); then
    printf '        ... %d more lines in %s\n' "$((lines - limit))" "$1"
  fi
}

# --- 1. tools -----------------------------------------------------------------------------
section "tools"
if ! command -v kubectl >/dev/null 2>&1; then
  fail "kubectl not found: install kubectl >= 1.27 (it brings kustomize); deploy/check.sh renders the overlays with 'kubectl kustomize'"
  printf '\ndeploy/check.sh: cannot continue without kubectl\n' >&2
  exit 1
fi
pass "kubectl: $(kubectl version --client 2>/dev/null | tr '\n' ' ')"

if ! command -v python3 >/dev/null 2>&1; then
  fail "python3 not found: needed for the check tools"
  exit 1
fi

want_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
stamp="$VENV/.requirements.sha256"
if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want_hash" ]]; then
  pass "check tools already installed in $VENV"
else
  rm -rf "$VENV"
  install_log=$(mktemp)
  # uv when available (fast), otherwise venv + pip; DEPLOY_CHECK_INSTALLER=pip forces pip.
  uv_cmd=()
  if [[ "${DEPLOY_CHECK_INSTALLER:-}" != pip ]]; then
    if command -v uv >/dev/null 2>&1; then
      uv_cmd=(uv)
    elif python3 -m uv --version >/dev/null 2>&1; then
      uv_cmd=(python3 -m uv)
    fi
  fi
  if ((${#uv_cmd[@]})); then
    install=(env UV_PYTHON_DOWNLOADS=never "${uv_cmd[@]}" venv -q --python "$(command -v python3)" "$VENV")
    install_deps=(env VIRTUAL_ENV="$VENV" "${uv_cmd[@]}" pip install -q --require-hashes -r "$REQUIREMENTS")
  else
    install=(python3 -m venv "$VENV")
    install_deps=("$VENV/bin/python" -m pip install -q --disable-pip-version-check
      --require-hashes -r "$REQUIREMENTS")
  fi
  if "${install[@]}" >"$install_log" 2>&1 && "${install_deps[@]}" >>"$install_log" 2>&1; then
    echo "$want_hash" >"$stamp"
    pass "check tools installed into $VENV from $REQUIREMENTS (hashes verified)"
  else
    fail "installing the check tools from $REQUIREMENTS"
    show "$install_log"
    exit 1
  fi
fi
tool() { printf '%s/bin/%s' "$VENV" "$1"; }
PY=$(tool python)

# --- 2. render ----------------------------------------------------------------------------
section "render (kubectl kustomize)"
rm -rf "$OUT"
mkdir -p "$OUT"
rendered=()
for overlay_dir in deploy/k8s/overlays/*/; do
  overlay=$(basename "$overlay_dir")
  if kubectl kustomize "$overlay_dir" >"$OUT/$overlay.yaml" 2>"$OUT/$overlay.err"; then
    count=$(grep -c '^kind:' "$OUT/$overlay.yaml" || true)
    pass "overlay $overlay renders ($count objects) -> $OUT/$overlay.yaml"
    rendered+=("$OUT/$overlay.yaml")
  else
    fail "overlay $overlay does not render"
    show "$OUT/$overlay.err"
  fi
done
if [[ ${#rendered[@]} -eq 0 ]]; then
  fail "no overlay rendered; nothing else to check"
  exit 1
fi

# --- 3. schemas ---------------------------------------------------------------------------
section "schemas (kubernetes-validate --strict, Kubernetes $K8S_VERSION)"
for file in "${rendered[@]}"; do
  overlay=$(basename "$file" .yaml)
  split_dir="$OUT/$overlay"
  "$PY" deploy/checks/policy.py split "$file" "$split_dir"
  log="$split_dir/kubernetes-validate.log"
  if "$(tool kubernetes-validate)" -k "$K8S_VERSION" --strict --quiet "$split_dir/builtin.yaml" >"$log" 2>&1 \
    && ! grep -qE '^(ERROR|WARN)' "$log"; then
    pass "$overlay: every built-in object valid ($(grep -c '^kind:' "$split_dir/builtin.yaml") objects)"
  else
    fail "$overlay: kubernetes-validate found invalid objects or kinds without a schema"
    grep -E '^(ERROR|WARN)' "$log" >"$log.short" || cp "$log" "$log.short"
    show "$log.short"
  fi
done

section "schemas of the custom resources (the operators' CRDs in deploy/crds/)"
if "$PY" deploy/checks/policy.py crds "${rendered[@]}" >"$OUT/crds.log" 2>&1; then
  grep -E '^PASS' "$OUT/crds.log" | sed -e 's/^/  /'
  pass "every custom resource valid against its operator's CRD (deploy/crds/sources.yaml)"
else
  sed -e 's/^/  /' "$OUT/crds.log" | cut -c1-400
  fail "custom resources invalid against their operators' CRDs"
fi

# --- 4. yamllint --------------------------------------------------------------------------
section "yamllint"
if "$(tool yamllint)" -c deploy/.yamllint -s -f parsable deploy >"$OUT/yamllint.log" 2>&1; then
  pass "every YAML file under deploy/ ($(find deploy -name '*.yaml' -not -path "$VENV/*" -not -path "$OUT/*" | wc -l) files)"
else
  fail "yamllint"
  show "$OUT/yamllint.log"
fi

# --- 5. hadolint --------------------------------------------------------------------------
section "hadolint"
if "$(tool hadolint)" --no-color deploy/images/Dockerfile >"$OUT/hadolint.log" 2>&1; then
  pass "deploy/images/Dockerfile"
else
  fail "hadolint deploy/images/Dockerfile"
  show "$OUT/hadolint.log"
fi

# --- 6. checkov ---------------------------------------------------------------------------
section "checkov (skips with reasons: deploy/.checkov.yaml)"
# checkov ignores directories whose name starts with a dot, such as deploy/.out: scan a
# copy, and treat a scan that ran no check as a failure.
checkov_dir=$(mktemp -d)
trap 'rm -rf "$checkov_dir"' EXIT
cp "${rendered[@]}" "$checkov_dir/"
checkov_run() {
  local title=$1 log=$2
  shift 2
  local summary
  if "$(tool checkov)" --config-file deploy/.checkov.yaml "$@" >"$log" 2>&1; then
    summary=$(grep -m1 -o 'Passed checks: [0-9]*, Failed checks: [0-9]*' "$log" || true)
    if [[ -n "$summary" && "$summary" != "Passed checks: 0,"* ]]; then
      pass "$title: $summary"
      return
    fi
    fail "$title: checkov ran no check (nothing scanned?)"
  else
    fail "$title"
  fi
  # The failed checks with the resources they failed for (the log lists passed ones too).
  awk '/^Check: /{check=$0} /FAILED for resource/{print check; print} /^(Error|ERROR)/{print}' \
    "$log" >"$log.short"
  [[ -s "$log.short" ]] || cp "$log" "$log.short"
  show "$log.short" 60
}
checkov_run "checkov, rendered overlays" "$OUT/checkov-k8s.log" --framework kubernetes -d "$checkov_dir"
checkov_run "checkov, deploy/images/Dockerfile" "$OUT/checkov-docker.log" \
  --framework dockerfile -f deploy/images/Dockerfile
# The generic pod rules are left to checkov: plant each mistake and make sure it is found.
delegated_input=${rendered[-1]}
[[ " ${rendered[*]} " == *" $OUT/production.yaml "* ]] && delegated_input=$OUT/production.yaml
if "$PY" deploy/checks/policy.py delegated "$delegated_input" --checkov "$(tool checkov)" \
  >"$OUT/delegated.log" 2>&1; then
  pass "checkov finds a planted mistake for every rule left to it ($(grep -c '^PASS  checkov catches' "$OUT/delegated.log") rules)"
else
  sed -e 's/^/  /' "$OUT/delegated.log"
  fail "a rule left to checkov is not enforced by it (deploy/checks/delegated.py)"
fi

# --- 7. policy ----------------------------------------------------------------------------
section "policy (deploy/checks/policy.py)"
run_policy() {
  local title=$1
  shift
  if "$PY" deploy/checks/policy.py "$@" >"$OUT/policy.log" 2>&1; then
    grep -E '^(PASS|==)' "$OUT/policy.log" | sed -e 's/^/  /'
    pass "$title"
  else
    sed -e 's/^/  /' "$OUT/policy.log"
    fail "$title"
  fi
}
run_policy "policy of the rendered overlays" k8s "${rendered[@]}"
# The self-test breaks the production rendering (or the last one that rendered).
selftest_input=${rendered[-1]}
[[ " ${rendered[*]} " == *" $OUT/production.yaml "* ]] && selftest_input=$OUT/production.yaml
run_policy "policy self-test: broken variants of $(basename "$selftest_input") are caught" \
  selftest "$selftest_input"
run_policy "policy of deploy/compose.yaml" compose deploy/compose.yaml
run_policy "policy of deploy/images/Dockerfile" image deploy/images/Dockerfile

# --- summary ------------------------------------------------------------------------------
section "summary"
elapsed=$((SECONDS - started))
printf '%d passed, %d failed (%ds)\n' "$passed" "$failed" "$elapsed"
if ((failed > 0)); then
  printf 'failed:\n'
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
