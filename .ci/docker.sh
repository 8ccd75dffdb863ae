#!/usr/bin/env bash
# A Docker engine for the end-to-end tests (.ci/e2e-local.sh).
#
#   bash .ci/docker.sh up       # installs Debian's engine if none answers, starts dockerd if none runs
#   bash .ci/docker.sh status   # says whether an engine answers and whether this script started it
#   bash .ci/docker.sh down     # stops dockerd and containerd only if `up` started them
#
# Idempotent: `up` on a machine whose engine answers changes nothing (and says so); `down` never
# stops an engine it did not start. What `up` started is recorded in $STATE (pid files).
# Needs root. The compose binary is the one .ci/install-tools.sh pins (docker/compose v5.4.0); it
# builds `build:` services through buildx, and bookworm's docker.io (20.10) has none new enough,
# so `up` also puts docker-buildx from a newer Debian suite, from the archive this machine's apt
# uses (.ci/lib/debian-mirror.sh; no file names a mirror host), where the CLI finds plugins.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=.ci/lib/debian-mirror.sh
. "$HERE/lib/debian-mirror.sh"
STATE="${ATLASOD_DOCKER_STATE:-/run/atlasod-docker}"
# buildx >= 0.17 is what compose v5 asks for; trixie carries only 0.13, sid 0.29
BUILDX_SUITE="${ATLASOD_BUILDX_SUITE:-sid}"
BUILDX_MIN="0.17.0"
PLUGINS=/usr/local/lib/docker/cli-plugins

log() { echo "docker.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_engine() {
  command -v dockerd >/dev/null && command -v containerd >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "no Docker engine installed and not root"
  log "installing Debian's docker.io (engine, containerd, runc)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  # policy-rc.d on these machines keeps the package from starting the service: this script does
  timeout 900 apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
}

buildx_version() {  # prints e.g. 0.20.1, or nothing
  { docker buildx version 2>/dev/null || true; } | sed -n 's/^[^ ]* v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n 1
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

install_buildx() {
  local have; have="$(buildx_version)"
  if [ -n "$have" ] && version_ge "$have" "$BUILDX_MIN"; then return 0; fi
  log "docker-buildx ${have:-none} is older than $BUILDX_MIN: unpacking docker-buildx from Debian $BUILDX_SUITE into $PLUGINS"
  local tmp; tmp="$(mktemp -d)"
  apt_suite_update "${BUILDX_SUITE}" "$tmp" || die "cannot read the package lists of Debian $BUILDX_SUITE"
  local o=("${APT_SUITE_OPTS[@]}")
  (cd "$tmp/dl" && timeout 600 apt-get "${o[@]}" download -qq docker-buildx)
  dpkg-deb -x "$tmp"/dl/docker-buildx_*.deb "$tmp/x"
  local bin; bin="$(find "$tmp/x" -type f -path "*/cli-plugins/docker-buildx" | head -n 1)"
  [ -n "$bin" ] || die "the docker-buildx package has no docker-buildx binary"
  mkdir -p "$PLUGINS"
  install -m 755 "$bin" "$PLUGINS/docker-buildx"
  rm -rf "$tmp"
  have="$(buildx_version)"
  if [ -z "$have" ] || ! version_ge "$have" "$BUILDX_MIN"; then die "docker buildx still reports '${have:-nothing}'"; fi
  log "docker buildx $have"
}

wait_for() {  # seconds description command...
  local n="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < n; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  die "$what did not come up within ${n}s"
}

up() {
  mkdir -p "$STATE"
  if engine_answers; then
    if pid_alive "$STATE/dockerd.pid"; then
      log "dockerd already running (started earlier by this script, pid $(cat "$STATE/dockerd.pid"))"
    else
      log "a Docker engine already answers: using it, starting nothing"
    fi
    install_buildx
    return 0
  fi
  install_engine
  if ! [ -S /run/containerd/containerd.sock ] || ! timeout 5 ctr version >/dev/null 2>&1; then
    log "starting containerd (none runs); log: $STATE/containerd.log"
    containerd > "$STATE/containerd.log" 2>&1 &
    echo $! > "$STATE/containerd.pid"
    wait_for 30 containerd test -S /run/containerd/containerd.sock
  fi
  log "starting dockerd (none runs); log: $STATE/dockerd.log"
  dockerd --containerd=/run/containerd/containerd.sock > "$STATE/dockerd.log" 2>&1 &
  echo $! > "$STATE/dockerd.pid"
  wait_for 60 dockerd engine_answers || { tail -n 30 "$STATE/dockerd.log" >&2; exit 1; }
  log "dockerd $(docker version --format '{{.Server.Version}}') up (API $(docker version --format '{{.Server.APIVersion}}'))"
  install_buildx
}

stop_pid() {  # pidfile name
  local f="$1" name="$2" pid i
  pid_alive "$f" || { rm -f "$f"; return 0; }
  pid="$(cat "$f")"
  log "stopping $name (pid $pid, started by this script)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name still up after 30s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$f"
}

down() {
  if ! pid_alive "$STATE/dockerd.pid" && ! pid_alive "$STATE/containerd.pid"; then
    log "this script started no engine: nothing to stop"
    return 0
  fi
  stop_pid "$STATE/dockerd.pid" dockerd
  stop_pid "$STATE/containerd.pid" containerd
}

status() {
  if engine_answers; then
    echo "engine: $(docker version --format 'dockerd {{.Server.Version}}, API {{.Server.APIVersion}}')"
  else
    echo "engine: none answers"
  fi
  if pid_alive "$STATE/dockerd.pid"; then echo "started by docker.sh: dockerd pid $(cat "$STATE/dockerd.pid")"; else echo "started by docker.sh: nothing"; fi
  echo "buildx: $(buildx_version || true)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
