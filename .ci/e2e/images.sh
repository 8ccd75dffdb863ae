#!/usr/bin/env bash
# Builds the stand-in container images the `local` bundle names (no container registry is reachable
# here), offline from Debian's and PyPI's packages, tagged with exactly the names in
# targets/images.yaml. README.md beside this file lists how each stand-in differs from the real image.
#
#   bash .ci/e2e/images.sh          # needs a Docker engine (.ci/docker.sh up) and root (debootstrap)
#
# Cached by content hash in $CACHE (default /var/cache/atlasod-e2e): the Debian root filesystem as a
# tarball, and every image as a `docker save` archive; an image whose label holds the same key is
# left alone, so a second run rebuilds nothing (and loads the archives when the engine lost them).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=.ci/lib/debian-mirror.sh
. "$REPO/.ci/lib/debian-mirror.sh"
CACHE="${ATLASOD_E2E_CACHE:-/var/cache/atlasod-e2e}"
SUITE=bookworm
# the versions of the programs inside the stand-ins: the ones the real images carry where known
HUB_JUPYTERHUB=5.5.1          # quay.io/jupyterhub/jupyterhub:5.5.1
SCIPY_JUPYTERHUB=5.5.1        # scipy-notebook 2026-08-17: a 5.x (5.5.0 or 5.5.1, targets/images.yaml)
ATLAS_JUPYTERHUB=4.1.6        # the ATLAS image: most likely 4.1.x (targets/images.yaml)
JUPYTERLAB=4.6.6
ANALYSIS="atlasopenmagic==1.10.1 uproot==5.7.7 awkward==2.14.0 numpy==2.4.6"   # the ATLAS image's, for the e2e's notebooks
ATLAS_API=http://atlasod-e2e-api:8081   # the e2e's stub of atlasopenmagic's metadata API (e2e-local.sh)
IPYKERNEL=6.31.0               # the Python kernel (docker-stacks ship one; `atlasod verify` runs notebooks in it)
LABEL_KEY=org.atlasod.e2e.key

log() { echo "images.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
sha() { sha256sum | cut -c1-16; }

# the image names the bundle references
image_of() {  # top-level key of targets/images.yaml, then (for presets) the preset name
  python3 - "$REPO/targets/images.yaml" "$@" <<'PY'
import re, sys
path, keys = sys.argv[1], sys.argv[2:]
want = [(0, keys[0])] + [(2 * (i + 1), k) for i, k in enumerate(keys[1:])]
depth, lines = 0, open(path).read().splitlines()
for line in lines:
    m = re.match(r"^( *)([A-Za-z0-9_-]+):\s*(.*)$", line)
    if not m:
        continue
    ind, key, val = len(m.group(1)), m.group(2), m.group(3)
    if depth < len(want) and (ind, key) == want[depth]:
        depth += 1
    elif depth == len(want) and ind == 2 * len(want) and key == "image":
        print(val.strip().strip('"')); sys.exit(0)
    elif ind < 2 * depth:
        depth = min(depth, ind // 2)
sys.exit("no image for " + ".".join(keys))
PY
}

mkdir -p "$CACHE/images"
exec 9>"$CACHE/.lock"
flock -w 1800 9 || die "another images.sh holds $CACHE/.lock"

# ---- the Debian root filesystem, with this machine's CA bundle (containers reach the package
# registries through it) ----------------------------------------------------------------------------
CA="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$CA" ] || die "no CA bundle at $CA"
base_key="$( { echo "$SUITE minbase ca-certificates v1"; cat "$CA"; } | sha)"
BASE="atlasod-e2e/debian-base:$base_key"
have_label() { [ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$1" 2>/dev/null || true)" = "$2" ]; }
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  tarball="$CACHE/rootfs-$base_key.tar"
  if ! [ -f "$tarball" ]; then
    command -v debootstrap >/dev/null || { log "installing debootstrap"; DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq debootstrap >/dev/null; }
    root="$CACHE/rootfs-$base_key.tmp"
    rm -rf "$root"
    mirror="$(debian_mirror)" || die "cannot tell which Debian archive apt uses"
    log "debootstrap $SUITE (minbase) into $root"
    timeout 1200 debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$root" "$mirror" > "$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
    cp "$CA" "$root/etc/ssl/certs/ca-certificates.crt"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$root/etc/pip.conf"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  log "docker import $BASE"
  docker import -c 'CMD ["/bin/bash"]' "$tarball" "$BASE" >/dev/null
fi

# ---- the test CA: the e2e's git server over HTTPS has a certificate from it, and the single-user
# stand-ins trust it (the README's "how the stand-in differs"). Made once, kept in the cache; the
# images' keys include its certificate, so a new CA rebuilds them.
TEST_CA="$CACHE/test-ca"
if ! [ -f "$TEST_CA/ca.crt" ]; then
  log "making the e2e test CA in $TEST_CA"
  mkdir -p "$TEST_CA" && chmod 700 "$TEST_CA"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/CN=atlasod e2e test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$TEST_CA/ca.key" -out "$TEST_CA/ca.crt.tmp" 2>/dev/null || die "openssl could not make the test CA"
  mv "$TEST_CA/ca.crt.tmp" "$TEST_CA/ca.crt"
fi

# ---- the stand-ins ---------------------------------------------------------------------------------
build() {  # dir tag build-arg...
  local dir="$1" tag="$2"; shift 2
  local args=(--build-arg "BASE=$BASE") a ctx="$HERE/images/$dir"
  for a in "$@"; do args+=(--build-arg "$a"); done
  if [ "$dir" = singleuser ]; then  # the build context plus the test CA's certificate
    ctx="$CACHE/context-$dir"
    rm -rf "$ctx" && cp -r "$HERE/images/$dir" "$ctx" && cp "$TEST_CA/ca.crt" "$ctx/atlasod-e2e-test-ca.crt"
  fi
  local key
  key="$( { echo "$BASE $*"; (cd "$ctx" && find . -type f | LC_ALL=C sort | xargs sha256sum); } | sha)"
  if have_label "$tag" "$key"; then log "$tag: cached ($key)"; return 0; fi
  local archive="$CACHE/images/$key.tar"
  if [ -f "$archive" ]; then
    log "$tag: docker load $archive"
    docker load -q -i "$archive" >/dev/null
    if have_label "$tag" "$key"; then return 0; fi
  fi
  log "$tag: building ($key; log $CACHE/build-$dir-$key.log)"
  local t0; t0=$(date +%s)
  timeout 1800 docker build -q --label "$LABEL_KEY=$key" --label org.atlasod.e2e=stand-in "${args[@]}" \
    -t "$tag" "$ctx" > "$CACHE/build-$dir-$key.log" 2>&1 \
    || { tail -n 30 "$CACHE/build-$dir-$key.log" >&2; die "building $tag failed"; }
  docker save -o "$archive.tmp" "$tag" && mv "$archive.tmp" "$archive"
  log "$tag: built in $(( $(date +%s) - t0 ))s"
}

build hub "$(image_of hub)" "JUPYTERHUB_VERSION=$HUB_JUPYTERHUB"
build caddy "$(image_of proxy)"
build singleuser "$(image_of presets python)" "JUPYTERHUB_VERSION=$SCIPY_JUPYTERHUB" "JUPYTERLAB_VERSION=$JUPYTERLAB" "IPYKERNEL_VERSION=$IPYKERNEL"
build singleuser "$(image_of presets root)" "JUPYTERHUB_VERSION=$ATLAS_JUPYTERHUB" "JUPYTERLAB_VERSION=$JUPYTERLAB" "IPYKERNEL_VERSION=$IPYKERNEL" \
  "ANALYSIS_PACKAGES=$ANALYSIS" "ATLAS_API=$ATLAS_API"
log "all stand-in images in place"
