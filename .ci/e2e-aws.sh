#!/usr/bin/env bash
# The aws bundle applied for real: the real HashiCorp AWS provider against moto's AWS emulator on
# loopback, the result checked with boto3 and the user data read with cloud-init's own code.
# What it proves and what it cannot: .ci/README.md ("End-to-end: the aws bundle against moto").
#
#   bash .ci/e2e-aws.sh [SPEC...]     # default: the representative set DEFAULT_SPECS below
#
# Env: ATLASOD_TOOLS           the tools of .ci/install-tools.sh (default /opt/atlasod-tools; venv moto)
#      ATLASOD_E2E_PROVIDER    init (terraform init: the pinned 6.x from the registry), local (a provider
#                              binary on this machine, through dev_overrides), or unset: init when the
#                              registry answers, else local, else skip (fail when CI=true)
#      ATLASOD_E2E_AWS_PROVIDER_DIR  the folder of a local terraform-provider-aws_* binary (default: searched)
#      ATLASOD_E2E_JOBS        specs run at once (default 7, every default spec: mostly waiting on the provider's waiters)
#      ATLASOD_E2E_KEEP=1      keep the scratch folder (bundles, terraform.log and moto.log of each spec)
# Output: one PASS/FAIL line per check, prefixed with the spec, the time per spec, and `N passed, M failed`.
# Exit 1 when a check failed. Every emulator it started is stopped and its scratch removed, also on
# failure or interrupt.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
T="${ATLASOD_TOOLS:-/opt/atlasod-tools}"
JOBS="${ATLASOD_E2E_JOBS:-7}"
PY="$T/venvs/moto/bin/python"
export PATH="$T/bin:$PATH"
START=$(date +%s)
log() { echo "e2e-aws: $*" >&2; }
skip_or_fail() {  # reason
  if [ "${CI:-}" = true ]; then log "FAIL: $1"; echo "0 passed, 1 failed"; exit 1; fi
  log "SKIP: $1"; exit 0
}

[ -x "$PY" ] || skip_or_fail "no moto venv at $T/venvs/moto: run bash .ci/install-tools.sh"
command -v terraform >/dev/null || skip_or_fail "terraform is not on PATH"
[ -d "$T/cloud-init-trixie" ] || skip_or_fail "no cloud-init 25.1 at $T/cloud-init-trixie: run bash .ci/install-tools.sh"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/atlasod-e2e-aws.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${ATLASOD_E2E_KEEP:-}" = 1 ]; then log "kept $SCRATCH"; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- the provider: the pinned 6.x through terraform init, or this machine's binary ----------------------
local_provider_dir() {
  if [ -n "${ATLASOD_E2E_AWS_PROVIDER_DIR:-}" ]; then echo "$ATLASOD_E2E_AWS_PROVIDER_DIR"; return; fi
  # Terraform's own implied local mirror folders, then /opt/tf-plugins (a filesystem mirror)
  local found
  found="$(find "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins" /usr/local/share/terraform/plugins \
    /usr/share/terraform/plugins /opt/tf-plugins -path '*/hashicorp/aws/*' -name 'terraform-provider-aws_*' -type f \
    2>/dev/null | sort -V | tail -n 1)"
  [ -n "$found" ] && dirname "$found"
}
registry_answers() {
  local probe="$SCRATCH/probe"
  mkdir -p "$probe" "$SCRATCH/plugin-cache"
  sed -n '/^terraform {/,/^}/p' <<'EOF' > "$probe/versions.tf"
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
EOF
  (cd "$probe" && TF_CLI_CONFIG_FILE=/dev/null TF_PLUGIN_CACHE_DIR="$SCRATCH/plugin-cache" \
     timeout 300 terraform init -input=false -no-color > "$SCRATCH/probe.log" 2>&1)
}
MODE="${ATLASOD_E2E_PROVIDER:-}"
if [ -z "$MODE" ]; then
  if registry_answers; then MODE=init
  elif [ -n "$(local_provider_dir || true)" ]; then MODE=local
  else skip_or_fail "no AWS provider: the registry does not answer ($(tail -n 1 "$SCRATCH/probe.log")) and no terraform-provider-aws_* binary is on this machine"
  fi
fi
case "$MODE" in
  init)
    [ -n "${ATLASOD_E2E_PROVIDER:-}" ] || PROBED=1
    [ "${PROBED:-0}" = 1 ] || registry_answers || skip_or_fail "terraform init fails: $(tail -n 3 "$SCRATCH/probe.log")"
    printf 'plugin_cache_dir = "%s"\n' "$SCRATCH/plugin-cache" > "$SCRATCH/terraformrc"
    export ATLASOD_E2E_INIT=1
    PROVIDER="hashicorp/aws ~> 6.0 from the registry (terraform init)" ;;
  local)
    DIR="$(local_provider_dir || true)"
    { [ -n "$DIR" ] && [ -d "$DIR" ]; } || skip_or_fail "no terraform-provider-aws_* binary found (set ATLASOD_E2E_AWS_PROVIDER_DIR)"
    cat > "$SCRATCH/terraformrc" <<EOF
# dev_overrides: terraform runs this binary for hashicorp/aws without terraform init (the bundle's
# version pin is not checked then; Terraform warns about it).
provider_installation {
  dev_overrides {
    "hashicorp/aws" = "$DIR"
  }
  direct {}
}
EOF
    PROVIDER="$(basename "$(find "$DIR" -maxdepth 1 -name 'terraform-provider-aws_*' | head -n 1)") via dev_overrides" ;;
  *) log "ATLASOD_E2E_PROVIDER must be init or local, not $MODE"; exit 2 ;;
esac
export TF_CLI_CONFIG_FILE="$SCRATCH/terraformrc"
log "provider: $PROVIDER"

# ---- the specs ----------------------------------------------------------------------------------------
# One spec per shape: every auth method a VM bundle treats differently (shared password, GitHub
# OAuth, native, the default), SSH open to admin_cidr / closed with a key / closed without one,
# a domain (Let's Encrypt) or none (the IP), a schedule (autostop) or none, `instance: auto`
# and a named type, a priced and an unpriced region, ASCII and non-ASCII titles, a roster with
# native accounts (the passwords of `atlasod accounts` through Terraform into the user data).
DEFAULT_SPECS=(
  examples/masterclass-aws.yaml                            # shared-password, domain, admin_cidr + key, schedule, auto
  tests/fixtures/valid/every-cloud/workshop.yaml           # default auth, no domain, SSH closed, no schedule, auto
  tests/fixtures/valid/explicit-instance-fits/workshop.yaml  # a named instance type
  tests/fixtures/valid/vm-github-unicode/workshop.yaml     # GitHub OAuth, non-ASCII title, admin_cidr without key
  tests/fixtures/warnings/unpriced-region/auto_native_python.yaml  # native auth, unpriced region, datasets
  tests/fixtures/warnings/ssh-closed/key_without_cidr.yaml # a key but SSH closed
  tests/fixtures/valid/roster-native-clouds/workshop.yaml  # native accounts from a roster (atlasod accounts)
)
if [ "$#" -gt 0 ]; then SPECS=("$@"); else SPECS=("${DEFAULT_SPECS[@]}"); fi
[ "${#SPECS[@]}" -gt 0 ] || { log "no spec declares aws"; exit 2; }

log "building atlasod"
nice cargo build --locked --quiet --bin atlasod
export ATLASOD_BIN="$REPO/target/debug/atlasod" ATLASOD_REPO="$REPO"

# ---- run, JOBS at a time --------------------------------------------------------------------------------
run_spec() {  # index spec
  local dir="$SCRATCH/spec-$1" began
  began=$(date +%s)
  mkdir -p "$dir"
  set +e
  "$PY" "$REPO/.ci/e2e/aws_e2e.py" "$2" "$dir/work" > "$dir/out" 2>&1
  echo "$? $(( $(date +%s) - began ))" > "$dir/status"
  set -e
}
declare -A RUNNING=()
for i in "${!SPECS[@]}"; do
  while [ "${#RUNNING[@]}" -ge "$JOBS" ]; do
    wait -n 2>/dev/null || true
    for k in "${!RUNNING[@]}"; do kill -0 "${RUNNING[$k]}" 2>/dev/null || unset "RUNNING[$k]"; done
  done
  log "start ${SPECS[$i]}"
  set -m; run_spec "$i" "${SPECS[$i]}" & set +m
  RUNNING[$i]=$!; PIDS+=("$!")
done
wait

# ---- report -------------------------------------------------------------------------------------------
passed=0; failed=0
for i in "${!SPECS[@]}"; do
  spec="${SPECS[$i]}" dir="$SCRATCH/spec-$i"
  read -r rc took < "$dir/status" || { rc=1; took="?"; }
  sed -n "s#^\(PASS\|FAIL\) #\1 $spec: #p" "$dir/out"
  p=$(grep -c '^PASS ' "$dir/out" || true); f=$(grep -c '^FAIL ' "$dir/out" || true)
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    echo "FAIL $spec: the run stopped (exit $rc):"; tail -n 20 "$dir/out" | sed 's/^/    /'; f=1
  fi
  if [ "$f" != 0 ]; then
    log "$spec: the last terraform commands:"; tail -n 30 "$dir/work/terraform.log" 2>/dev/null | sed -e "s/\x1b\[[0-9;]*m//g" | sed 's/^/    /' >&2 || true
  fi
  echo "time $spec: ${took} s ($p passed, $f failed)"
  passed=$((passed + p)); failed=$((failed + f))
done
echo "e2e-aws: ${#SPECS[@]} specs in $(( $(date +%s) - START )) s, $JOBS at a time; provider: $PROVIDER"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
