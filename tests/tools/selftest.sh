#!/usr/bin/env bash
# Self-test of the validator toolchain (.ci/install-tools.sh): every tool must accept the valid sample
# under tests/tools/samples/ and reject the broken one under tests/tools/samples/broken/.
#
#   bash tests/tools/selftest.sh            # all, ~2-3 min (two real hubs, several checkov runs)
#   bash tests/tools/selftest.sh --fast     # without the hub smoke tests and checkov
# Ends with "N passed, M failed"; exit 1 if any check failed.  Needs no network: run it inside
# `unshare -n` (as root) to prove it.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
S="$HERE/samples"
BRK="$S/broken"
T="${ATLASOD_TOOLS:-/opt/atlasod-tools}"
export PATH="$T/bin:$PATH"
FAST=0; [ "${1:-}" = "--fast" ] && FAST=1
PASS=0; FAIL=0; FAILED=()
LOG="$(mktemp -d)"
trap 'rm -rf "$LOG"' EXIT

[ -f "$T/tf-offline.env" ] || { echo "no $T/tf-offline.env: run .ci/install-tools.sh" >&2; exit 2; }
# shellcheck disable=SC1091
. "$T/tf-offline.env"

check() {  # expect(ok|fail) name timeout cmd...
  local expect="$1" name="$2" secs="$3"; shift 3
  local n=$(( PASS + FAIL + 1 )) rc=0 t0; t0=$(date +%s)
  timeout --kill-after=10 "$secs" "$@" > "$LOG/$n.out" 2>&1 || rc=$?
  local ok=0
  if [ "$expect" = ok ] && [ "$rc" = 0 ]; then ok=1; fi
  if [ "$expect" = fail ] && [ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$rc" != 137 ]; then ok=1; fi
  if [ "$ok" = 1 ]; then
    PASS=$(( PASS + 1 )); printf 'ok   %-62s (exit %s, %ss)\n' "$name" "$rc" "$(( $(date +%s) - t0 ))"
    if [ "$expect" = fail ]; then grep -m 2 -E '[Ee]rror|ERROR|FAILED|INVALID|not |[Uu]nexpected|problem|missing' "$LOG/$n.out" | cut -c1-150 | sed 's/^/       | /'; fi
  else
    FAIL=$(( FAIL + 1 )); FAILED+=("$name")
    printf 'FAIL %-62s (expected %s, exit %s)\n' "$name" "$expect" "$rc"
    grep -m 3 -E 'FAILED|problem|INVALID|rror' "$LOG/$n.out" | cut -c1-200 | sed 's/^/       > /'
    tail -n 15 "$LOG/$n.out" | sed 's/^/       | /'
  fi
}

cd "$S/compose" || exit 2
# compose: JSON schema (compose-spec) and the real docker compose v5 loader (interpolation, references)
check ok   "check-jsonschema compose-spec: compose.yaml"                60 check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
check fail "check-jsonschema compose-spec: bad depends_on condition"     60 check-jsonschema --builtin-schema vendor.compose-spec "$BRK/compose.bad-condition.yaml"
check ok   "docker-compose config: compose.yaml"                         60 docker-compose -f compose.yaml config -q
check ok   "docker-compose config --profile single"                      60 docker-compose -f compose.yaml --profile single config -q
check fail "docker-compose config: \${SHARED_PASSWORD:?} unset"          60 env -u SHARED_PASSWORD docker-compose -f compose.yaml --env-file /dev/null config -q
check fail "docker-compose config: bad depends_on condition"            60 docker-compose -f "$BRK/compose.bad-condition.yaml" config -q
check fail "docker-compose config: undeclared network"                  60 docker-compose -f "$BRK/compose.undeclared-network.yaml" config -q
cd "$HERE" || exit 2

# Caddy (XDG dirs in a temp dir: `tls internal` makes a local CA there)
check ok   "caddy validate: Caddyfile.acme"      60 env XDG_DATA_HOME="$LOG/xdg" XDG_CONFIG_HOME="$LOG/xdg" caddy validate --config "$S/caddy/Caddyfile.acme" --adapter caddyfile
check ok   "caddy validate: Caddyfile.internal"  60 env XDG_DATA_HOME="$LOG/xdg" XDG_CONFIG_HOME="$LOG/xdg" caddy validate --config "$S/caddy/Caddyfile.internal" --adapter caddyfile
check fail "caddy validate: Caddyfile.bad"       60 env XDG_DATA_HOME="$LOG/xdg" XDG_CONFIG_HOME="$LOG/xdg" caddy validate --config "$BRK/Caddyfile.bad" --adapter caddyfile

# ShellCheck
check ok   "shellcheck: deploy.sh"       60 shellcheck "$S/deploy.sh"
check ok   "shellcheck: install-tools.sh" 60 shellcheck "$HERE/../../.ci/install-tools.sh"
check fail "shellcheck: bad.sh"          60 shellcheck "$BRK/bad.sh"

# cloud-init (25.1 = bin/cloud-init; 22.4 = Debian bookworm's)
check ok   "cloud-init 25.1 schema: user-data.yaml"          60 cloud-init schema --config-file "$S/cloud-init/user-data.yaml"
check ok   "cloud-init 22.4 schema: user-data.yaml"          60 cloud-init-22.4 schema --config-file "$S/cloud-init/user-data.yaml"
check fail "cloud-init 25.1 schema: bad types"               60 cloud-init schema --config-file "$BRK/user-data.bad-type.yaml"
check fail "cloud-init 22.4 schema: bad types"               60 cloud-init-22.4 schema --config-file "$BRK/user-data.bad-type.yaml"
check fail "cloud-init 25.1 schema: unknown top-level key"   60 cloud-init schema --config-file "$BRK/user-data.unknown-key.yaml"
check ok   "cloud-init 22.4 schema: unknown top-level key passes (known gap)" 60 cloud-init-22.4 schema --config-file "$BRK/user-data.unknown-key.yaml"
check ok   "cloud-init 25.1 reads user data: user-data.yaml" 60 python3 "$HERE/cloud_init_userdata.py" "$S/cloud-init/user-data.yaml"
check fail "cloud-init 25.1 reads user data: 7bit UTF-8 part" 60 python3 "$HERE/cloud_init_userdata.py" "$BRK/user-data.mime-7bit-merge.txt"

# Terraform: python-hcl2 syntax, terraform validate (tf-offline), checkov
check ok   "hcl_parse.py: terraform/aws"                 60 python3 "$HERE/hcl_parse.py" "$S/terraform/aws"
check fail "hcl_parse.py: terraform-syntax"              60 python3 "$HERE/hcl_parse.py" "$BRK/terraform-syntax"
check ok   "terraform validate (tf-offline): terraform/aws"      120 terraform -chdir="$S/terraform/aws" validate -no-color
check fail "terraform validate (tf-offline): terraform-schema"   120 terraform -chdir="$BRK/terraform-schema" validate -no-color
check fail "terraform validate (tf-offline): terraform-syntax"   120 terraform -chdir="$BRK/terraform-syntax" validate -no-color
if [ "$FAST" = 0 ]; then
  check ok   "checkov terraform: terraform/aws (0 failed)"   300 checkov -d "$S/terraform/aws" --framework terraform --quiet --compact
  check fail "checkov terraform: terraform-insecure"         300 checkov -d "$BRK/terraform-insecure" --framework terraform --quiet --compact
  check ok   "checkov dockerfile: hub-image/Dockerfile (0 failed)" 300 checkov -f "$S/hub-image/Dockerfile" --framework dockerfile --quiet --compact
  check fail "checkov dockerfile: Dockerfile.bad"            300 checkov -f "$BRK/Dockerfile.bad" --framework dockerfile --quiet --compact
fi

# Kubernetes manifests
check ok   "k8s_validate.py 1.31: dataset-fetch-job.yaml"     120 python3 "$HERE/k8s_validate.py" -k 1.31.0 "$S/k8s/dataset-fetch-job.yaml"
check fail "k8s_validate.py 1.31: dataset-fetch-job.bad.yaml" 120 python3 "$HERE/k8s_validate.py" -k 1.31.0 "$BRK/dataset-fetch-job.bad.yaml"
check fail "k8s_validate.py 1.31: unknown kind"               120 python3 "$HERE/k8s_validate.py" -k 1.31.0 "$BRK/unknown-kind.yaml"

# SARIF
check ok   "sarif_validate.py: atlasod.sarif"  180 python3 "$HERE/sarif_validate.py" "$S/atlasod.sarif"
check fail "sarif_validate.py: bad.sarif"      180 python3 "$HERE/sarif_validate.py" "$BRK/bad.sarif"

# JupyterHub config: every authenticator variant of the reference config, and two broken ones
for auth in dummy shared-password native github gitlab oidc; do
  check ok "jhub_config_check.py --strict: $auth" 180 env ATLASOD_AUTHENTICATOR="$auth" python3 "$HERE/jhub_config_check.py" -q --strict "$S"
done
check fail "jhub_config_check.py: jhub-typo"     180 python3 "$HERE/jhub_config_check.py" -q "$BRK/jhub-typo"
check fail "jhub_config_check.py: jhub-noallow"  180 python3 "$HERE/jhub_config_check.py" -q "$BRK/jhub-noallow"
check fail "jhub_config_check.py: SHARED_PASSWORD empty" 180 env ATLASOD_AUTHENTICATOR=shared-password SHARED_PASSWORD= python3 "$HERE/jhub_config_check.py" -q "$S"
if [ "$FAST" = 0 ]; then
  check ok   "hub_smoke.py --method dummy"             300 env ATLASOD_AUTHENTICATOR=dummy python3 "$HERE/hub_smoke.py" "$S" --method dummy
  check ok   "hub_smoke.py --method shared-password"   300 env ATLASOD_AUTHENTICATOR=shared-password python3 "$HERE/hub_smoke.py" "$S" --method shared-password --admin-user trainer
  check fail "hub_smoke.py: jhub-noallow (login refused)" 300 env ATLASOD_AUTHENTICATOR=dummy python3 "$HERE/hub_smoke.py" "$BRK/jhub-noallow" --method dummy
fi

echo
if [ "$FAIL" -gt 0 ]; then printf 'failed: %s\n' "${FAILED[@]}"; fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
