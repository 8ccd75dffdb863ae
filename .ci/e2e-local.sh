#!/usr/bin/env bash
# shellcheck disable=SC2016 # docker inspect templates are single-quoted on purpose
# The `local` bundle brought up for real under a Docker engine, checked as a trainer and a student
# would use it. One PASS/FAIL line per check, then `N passed, M failed`; exit 1 on any failure.
#
#   bash .ci/e2e-local.sh [SPEC...]      # default: every tests/e2e/*.yaml
#
# Needs root (dockerd, debootstrap). Starts the engine with .ci/docker.sh when none runs (and stops
# it again), builds the stand-in images (.ci/e2e/images.sh, cached), builds each spec's bundle with
# atlasod, fills `.env` as the bundle's README tells a trainer, and runs it. The datasets come from
# this script's own HTTP server and the notebooks from its own git server (smart HTTP over HTTPS,
# with a certificate from the test CA that the single-user stand-ins trust): containers it attaches
# to the bundle's network under the names the specs use (atlasod-e2e-files, atlasod-e2e-git). Any
# other spec (auth dummy, shared-password or native) works too: the script runs a copy of it whose
# catalogue datasets, own datasets and notebook repositories name these servers instead, says so,
# and changes nothing else (.ci/e2e/spec.py serve). Nothing talks to anything but loopback and the
# containers made here. Specs run in parallel (those on the same hub port one after the other;
# single-user mode, always 127.0.0.1:8888, one spec at a time); each one's lines are printed when
# it ends. Every container, volume, network and image tag it made is removed at the end (by compose
# project and by name prefix), also on failure or ^C.
# Env: ATLASOD_E2E_KEEP=1 keeps the bundles' containers and the work dir (for debugging);
#      ATLASOD_E2E_JOBS=1 runs the specs one after the other.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
T="${ATLASOD_TOOLS:-/opt/atlasod-tools}"
export PATH="$T/bin:$PATH"
W="$(mktemp -d /tmp/atlasod-e2e.XXXXXX)"
RUN_LABEL="org.atlasod.e2e.run=$$"
FILES_IMAGE="quay.io/jupyterhub/jupyterhub:5.5.1"   # any stand-in with python3
GIT_IMAGE="quay.io/jupyter/scipy-notebook:2026-08-17"   # a stand-in with git and python3
ATLAS_IMAGE="ghcr.io/atlas-outreach-data-tools/notebooks-collection-opendata:latest"   # the stand-in with uproot
CACHE="${ATLASOD_E2E_CACHE:-/var/cache/atlasod-e2e}"   # images.sh's; the test CA is in test-ca/
WORK=/home/jovyan/work           # the users' work directory (the bundle's notebook_dir)
STARTED_ENGINE=0
PROJECTS=()
passed=0 failed=0
START=$(date +%s)
CHILDREN=()

say() { echo "e2e: $*" >&2; }
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: PASS when the command succeeds; else FAIL with its last lines
check() {
  local what="$1" out; shift
  if out="$("$@" 2>&1)"; then pass "$what"; return 0; fi
  fail "$what"; printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'
  return 1
}

# ---- cleanup: by compose project and by the bundle's name prefix -----------------------------------
cleanup_project() {  # name
  local p="$1" ids
  ids="$( { docker ps -aq --filter "label=com.docker.compose.project=$p"; docker ps -aq --filter "name=^/$p-"; } | sort -u)"
  printf '%s\n' "$ids" | xargs -r docker rm -f >/dev/null 2>&1
  ids="$( { docker volume ls -q --filter "label=com.docker.compose.project=$p"; docker volume ls -q --filter "name=^$p-"; } | sort -u)"
  printf '%s\n' "$ids" | xargs -r docker volume rm -f >/dev/null 2>&1
  ids="$( { docker network ls -q --filter "label=com.docker.compose.project=$p"; docker network ls -q --filter "name=^$p-"; } | sort -u)"
  printf '%s\n' "$ids" | xargs -r docker network rm >/dev/null 2>&1
  ids="$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^$p-(hub|singleuser):" || true)"
  printf '%s\n' "$ids" | xargs -r docker rmi -f >/dev/null 2>&1
  return 0
}
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${CHILDREN[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${CHILDREN[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${ATLASOD_E2E_KEEP:-}" = 1 ]; then
    say "ATLASOD_E2E_KEEP=1: leaving the bundles and $W"
  else
    docker ps -aq --filter "label=$RUN_LABEL" | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter "label=$RUN_LABEL" | xargs -r docker network rm >/dev/null 2>&1 || true
    local p
    for p in "${PROJECTS[@]}"; do cleanup_project "$p"; done
    local rule
    while read -r rule; do [ -z "$rule" ] || iptables -D DOCKER-USER -s "$rule" ! -d "$rule" -j REJECT 2>/dev/null || true; done < <(cat "$W/offline-rules" 2>/dev/null)
    rm -rf "$W"
  fi
  if [ "$STARTED_ENGINE" = 1 ]; then bash "$HERE/docker.sh" down || true; fi
  exit "$code"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

# ---- helpers ---------------------------------------------------------------------------------------
compose() { (cd "$B" && timeout "${CT:-600}" docker-compose "$@"); }
hubc() { python3 "$HERE/e2e/hub_client.py" "$@"; }
env_set() {  # KEY VALUE: in $B/.env
  if grep -q "^$1=" "$B/.env"; then sed -i "s|^$1=.*|$1=$2|" "$B/.env"; else echo "$1=$2" >> "$B/.env"; fi
}
wait_until() {  # seconds command...: bounded poll
  local n="$1" i; shift
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  "$@"
}
inspect() { docker inspect -f "$2" "$1" 2>&1; }
wait_healthy() {  # container seconds
  local i s
  for ((i = 0; i < $2; i += 2)); do
    s="$(inspect "$1" '{{.State.Health.Status}}')"
    [ "$s" = healthy ] && return 0
    sleep 2
  done
  echo "$1 is '$s' after $2 s"; docker logs --tail 20 "$1" 2>&1; return 1
}
wait_exited() {  # container seconds: exited with 0
  local i s
  for ((i = 0; i < $2; i += 2)); do
    s="$(inspect "$1" '{{.State.Status}} {{.State.ExitCode}}')"
    [ "$s" = "exited 0" ] && return 0
    case "$s" in exited*) break ;; esac
    sleep 2
  done
  echo "$1: '$s'"; docker logs --tail 20 "$1" 2>&1; return 1
}
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
has() { case "$1" in *"$2"*) return 0 ;; esac; echo "'$2' not in: $1"; return 1; }
lacks() { case "$1" in *"$2"*) echo "'$2' found in: $1"; return 1 ;; esac; return 0; }
fails() { if "$@"; then echo "succeeded: $*"; return 1; fi; return 0; }

OFFLINE_RULE=()
offline_on() {  # subnet: the bundle's containers reach nothing outside their own network
  OFFLINE_RULE=(DOCKER-USER -s "$1" ! -d "$1" -j REJECT)
  echo "$1" >> "$W/offline-rules"   # for cleanup after ^C
  iptables -I "${OFFLINE_RULE[@]}"
}
offline_off() {
  if [ "${#OFFLINE_RULE[@]}" -gt 0 ]; then iptables -D "${OFFLINE_RULE[@]}" 2>/dev/null || true; OFFLINE_RULE=(); fi
}

# ---- the engine, the stand-in images, atlasod --------------------------------------------------------
if ! timeout 10 docker version >/dev/null 2>&1; then STARTED_ENGINE=1; fi
bash "$HERE/docker.sh" up || { fail "a Docker engine runs (.ci/docker.sh up)"; exit 1; }
t0=$(date +%s)
bash "$HERE/e2e/images.sh" || { fail "the stand-in images build (.ci/e2e/images.sh)"; exit 1; }
say "stand-in images ready in $(( $(date +%s) - t0 ))s"
(cd "$REPO" && cargo build --quiet --locked --bin atlasod) || { fail "atlasod builds"; exit 1; }
ATLASOD="${CARGO_TARGET_DIR:-$REPO/target}/debug/atlasod"

# ---- the test's servers: HTTP for datasets, git's smart HTTP over HTTPS for notebooks ---------------
# Each spec gets its own pair (its own files, repositories and request logs), on a network of their
# own; each pair joins its bundle's network under the names the specs use.
python3 - "$W/sample.bin" <<'PY'
import hashlib, sys
with open(sys.argv[1], "wb") as out:
    for i in range(65536):
        out.write(hashlib.sha256(b"atlasod-e2e %d" % i).digest() * 2)
PY
SAMPLE_SHA="$(sha256sum "$W/sample.bin" | cut -d' ' -f1)"
# the git server's certificate, from the test CA that the single-user stand-ins trust
mkdir -p "$W/tls"
{ openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=atlasod-e2e-git \
    -keyout "$W/tls/git.key" -out "$W/tls/git.csr" \
  && openssl x509 -req -in "$W/tls/git.csr" -CA "$CACHE/test-ca/ca.crt" -CAkey "$CACHE/test-ca/ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 2 -out "$W/tls/git.crt" \
    -extfile <(printf 'subjectAltName=DNS:atlasod-e2e-git\nextendedKeyUsage=serverAuth\n'); } >/dev/null 2>&1 \
  || { fail "the git server's certificate is issued by the test CA ($CACHE/test-ca)"; exit 1; }
docker network rm atlasod-e2e-srv >/dev/null 2>&1 || true
docker network create --label "$RUN_LABEL" --internal atlasod-e2e-srv >/dev/null

start_servers() {  # name srv: the spec's file server and git server
  # the file server's container also answers as atlasod-e2e-api: the stub of atlasopenmagic's
  # metadata API (tests/tools/atlas_api_stub.py, .ci/e2e/atlas-api.json) on port 8081
  docker run -d --name "$1-e2e-files" --label "$RUN_LABEL" --network atlasod-e2e-srv -v "$2/files:/files:ro" \
    -v "$HERE/e2e/fileserver.py:/fileserver.py:ro" -v "$REPO/tests/tools/atlas_api_stub.py:/stub.py:ro" \
    -v "$HERE/e2e/atlas-api.json:/atlas-api.json:ro" --entrypoint sh "$FILES_IMAGE" \
    -c 'python3 /stub.py /atlas-api.json 0.0.0.0:8081 & exec python3 /fileserver.py /files 8080' >/dev/null \
  && docker run -d --name "$1-e2e-git" --label "$RUN_LABEL" --network atlasod-e2e-srv --user 0 -v "$2/git:/git:ro" \
    -v "$W/tls:/tls:ro" -v "$HERE/e2e/gitserver.py:/gitserver.py:ro" --entrypoint python3 "$GIT_IMAGE" \
    /gitserver.py /git 443 /tls/git.crt /tls/git.key >/dev/null
}
servers_join() {  # net: the names the specs use, on the bundle's network
  docker network connect --alias atlasod-e2e-files --alias atlasod-e2e-api "$1" "$FILES" 2>/dev/null
  docker network connect --alias atlasod-e2e-git "$1" "$GITS" 2>/dev/null
  docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$1" | grep -q "$GITS"
}
servers_leave() {  # net
  docker network disconnect "$1" "$FILES" >/dev/null 2>&1 || true
  docker network disconnect "$1" "$GITS" >/dev/null 2>&1 || true
}
files_log() { docker logs "$FILES" 2>&1; }

# the notebook repositories: one bare repository per URL of the spec, on the spec's branch
nb_file() {  # path version: a notebook with one markdown cell
  printf '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["%s"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n' "$2" > "$1"
}
make_repos() {  # srv
  local srv="$1" i r ref repos refs
  read -r -a repos <<< "$S_REPOS"; read -r -a refs <<< "$S_REFS"
  for i in "${!repos[@]}"; do
    r="${repos[$i]##*/}"; r="${r%.git}"; ref="${refs[$i]}"; [ "$ref" != - ] || ref=main
    mkdir -p "$srv/up/$r" && git -C "$srv/up/$r" init -q -b "$ref" || return 1
    printf '# e2e notebooks\nupstream v1\n' > "$srv/up/$r/README.md"
    nb_file "$srv/up/$r/lesson.ipynb" "upstream v1"
    # the notebooks `atlasod verify` runs, for the repository the spec names analysis.git
    [ "$r" != analysis ] || cp "$HERE/e2e/notebooks/"*.ipynb "$srv/up/$r/"
    git -C "$srv/up/$r" add -A && git -C "$srv/up/$r" -c user.name=trainer -c user.email=trainer@example.org commit -q -m v1 \
      && git clone -q --bare "$srv/up/$r" "$srv/git/$r.git" && git -C "$srv/up/$r" remote add origin "$srv/git/$r.git" || return 1
  done
}
upstream_commit() {  # srv repo-name: the trainer changes README.md and lesson.ipynb and adds a notebook
  local up="$1/up/$2"
  printf '# e2e notebooks\nupstream v2\n' > "$up/README.md"
  nb_file "$up/lesson.ipynb" "upstream v2"
  nb_file "$up/new-lesson.ipynb" "new upstream"
  git -C "$up" add -A && git -C "$up" -c user.name=trainer -c user.email=trainer@example.org commit -q -m v2 \
    && git -C "$up" push -q origin HEAD
}

# ---- one spec ----------------------------------------------------------------------------------------
run_spec() {  # spec file (as given), work dir of the spec: runs in a subshell of its own
  local orig="$1" name="$S_NAME" srv="$2/srv"
  local spec="$2/spec.yaml"
  FILES="$name-e2e-files" GITS="$name-e2e-git"
  mkdir -p "$srv/files" "$srv/git" "$srv/up"
  # the copy this script runs: datasets and notebooks from its own servers, nothing else changed
  local changes
  changes="$(python3 "$HERE/e2e/spec.py" serve "$orig" "$spec" "$srv" 2>&1)" || { fail "$name: the spec's copy with the test's servers ($changes)"; return 0; }
  if [ -n "$changes" ]; then
    say "$orig: running a copy ($spec) with only these URLs rewritten to the test's servers:"
    printf '%s\n' "$changes" | sed 's/^/e2e:   /' >&2
  fi
  eval "$(python3 "$HERE/e2e/spec.py" facts "$spec")"
  # the roster lives beside the spec: beside its copy too
  [ -z "$S_ROSTER" ] || cp "$(dirname "$orig")/$S_ROSTER" "$(dirname "$spec")/$S_ROSTER"
  ln "$W/sample.bin" "$srv/files/sample.bin"
  case " $S_DATASETS " in *" e2e-ntuple "*) make_ntuple "$name" "$srv" || { fail "$name: the ntuple is written with uproot (.ci/e2e/ntuple.py)"; return 0; } ;; esac
  make_repos "$srv" || { fail "$name: the test's notebook repositories are made"; return 0; }
  B="$2/out/local"
  cleanup_project "$name"
  start_servers "$name" "$srv" || { fail "$name: the test's HTTP and git servers start"; return 0; }
  say "---- $orig ($name)"
  local spec_start; spec_start=$(date +%s)
  check "$name: atlasod builds the local bundle" "$ATLASOD" build "$spec" --target local --output "$2/out" --quiet || return 0
  [ -f "$B/compose.yaml" ] || { fail "$name: the bundle has a compose.yaml"; return 0; }
  if [ -n "$S_ROSTER" ] && [ "$S_AUTH" = native ]; then
    check "$name: atlasod accounts writes the roster's passwords beside the bundle" "$ATLASOD" accounts "$spec" --output "$2/out" --quiet || return 0
    check "$name: ... mode 0600" eq "$(stat -c %a "$B/accounts.csv")" 600
  fi
  local auth="$S_AUTH" https="$S_HTTPS" sample="$S_SAMPLE" datasets=0 nbs=()
  [ -z "$S_DATASETS" ] || datasets=1
  read -r -a nbs <<< "$S_NOTEBOOKS"

  # .env as the README tells a trainer: copy the example, fill in the secrets
  cp "$B/.env.example" "$B/.env"
  # as long as .env.example asks (at least 32 characters for the admins' password)
  SHARED_PW="shared-$(openssl rand -hex 8)" ADMIN_PW="admin-$(openssl rand -hex 20)" JTOKEN="$(openssl rand -hex 24)"
  grep -q '^SHARED_PASSWORD=' "$B/.env" && env_set SHARED_PASSWORD "$SHARED_PW"
  grep -q '^ADMIN_PASSWORD=' "$B/.env" && env_set ADMIN_PASSWORD "$ADMIN_PW"
  env_set JUPYTER_TOKEN "$JTOKEN"

  # build and create (the network too), attach the test servers, then start
  local t0; t0=$(date +%s)
  CT=1500 check "$name: docker compose up --no-start (builds the hub and single-user images)" compose up --no-start || return 0
  say "$name: images built and containers created in $(( $(date +%s) - t0 ))s"
  local net="$name-net"
  check "$name: the test's HTTP and git servers join the bundle's network $net" servers_join "$net"
  if [ "$sample" = 1 ]; then
    # a download cut off half-way: the first 1.5 MB of the file in the fetcher's partial folder
    head -c 1500000 "$W/sample.bin" | docker run -i --rm --label "$RUN_LABEL" -v "$name-datasets:/data" --entrypoint sh "$FILES_IMAGE" \
      -c 'mkdir -p /data/.atlasod-partial/sample/unpacked && cat > /data/.atlasod-partial/sample/sample.bin'
  fi
  CT=600 check "$name: docker compose up -d (as the README says)" compose up -d || return 0
  if [ "$datasets" = 1 ]; then
    check "$name: fetch-datasets completes (exit 0)" wait_exited "$name-fetch-datasets-1" 300
  fi

  if [ "$sample" = 1 ]; then
    check "$name: fetch-datasets resumed the cut-off download (Range: bytes=1500000-)" has "$(files_log)" "GET /sample.bin range=bytes=1500000-"
    check "$name: the dataset in the volume has the spec's SHA-256" \
      has "$(docker run --rm --label "$RUN_LABEL" -v "$name-datasets:/data:ro" --entrypoint sha256sum "$FILES_IMAGE" /data/sample/sample.bin 2>&1)" "$SAMPLE_SHA"
  fi

  # the hub's address
  local base cacert="" port
  port="$(compose port "$( [ "$https" = off ] && echo hub || echo proxy )" "$( [ "$https" = off ] && echo 8000 || echo 443 )" 2>/dev/null | tail -n 1)"
  port="${port##*:}"
  # waits on what a user sees; Docker's health status (first probed 30 s after the start) is
  # checked later, when it is due anyway
  if [ "$https" = off ]; then
    base="http://127.0.0.1:$port"
    check "$name: the hub answers at $base/hub/health" wait_until 300 curl -fsS --max-time 10 -o /dev/null "$base/hub/health" \
      || { compose logs --tail 40 2>&1 | sed 's/^/    | /'; return 0; }
  else
    base="https://localhost:$port"
    cacert="$2/caddy-root.crt"
    wait_until 120 compose cp proxy:/data/caddy/pki/authorities/local/root.crt "$cacert"
    check "$name: the hub answers through Caddy over HTTPS, verified with Caddy's root (curl --cacert)" \
      wait_until 300 curl -fsS --max-time 10 --cacert "$cacert" -o /dev/null "$base/hub/health" \
      || { compose logs --tail 40 2>&1 | sed 's/^/    | /'; return 0; }
    check "$name: HTTPS on 127.0.0.1 too (the certificate names it)" \
      curl -fsS --max-time 10 --cacert "$cacert" -o /dev/null "https://127.0.0.1:$port/hub/health"
    # the laptop bundle publishes no port 80: plain HTTP on its HTTPS port is redirected instead
    check "$name: plain HTTP on the HTTPS port redirects to HTTPS, same host and port" \
      eq "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$port/hub/login?next=%2Fhub%2F")" \
      "308 https://localhost:$port/hub/login?next=%2Fhub%2F"
    check "$name: ... and the redirect leads to the hub's login page (curl -L --cacert)" \
      has "$(curl -fsSL --max-time 10 --cacert "$cacert" "http://localhost:$port/hub/login")" 'name="username"'
  fi
  local ca=(); [ -z "$cacert" ] || ca=(--cacert "$cacert")

  # logging in, as a browser does (the form, with the _xsrf cookie)
  local student=alice admin="$S_ADMIN" spw="$SHARED_PW" apw="$ADMIN_PW" j="$2"
  [ -z "$S_ROSTER" ] || student="$(sed -n 3p "$B/accounts.csv" 2>/dev/null | cut -d, -f1)"
  [ -n "$S_ROSTER" ] && [ "$auth" = native ] && auth=native-roster
  case "$auth" in
    native-roster)
      roster_login "$name" "$base" || return 0
      ;;
    shared-password)
      check "$name: a student logs in with the workshop password" hubc "${ca[@]}" --jar "$j/alice.jar" "$base" login "$student" "$spw"
      check "$name: a wrong password is refused" fails hubc "${ca[@]}" --jar "$j/mallory.jar" "$base" login mallory "wrong-$spw"
      if [ -n "$admin" ]; then
        check "$name: the admin logs in with ADMIN_PASSWORD" hubc "${ca[@]}" --jar "$j/admin.jar" "$base" login "$admin" "$apw"
        check "$name: the admin cannot log in with the students' password" fails hubc "${ca[@]}" --jar "$j/admin2.jar" "$base" login "$admin" "$spw"
      fi
      ;;
    dummy)
      check "$name: a user logs in (dummy)" hubc "${ca[@]}" --jar "$j/alice.jar" "$base" login "$student" x
      [ -z "$admin" ] || check "$name: the admin logs in (dummy)" hubc "${ca[@]}" --jar "$j/admin.jar" "$base" login "$admin" x
      ;;
    native)
      [ -n "$admin" ] || { fail "$name: native auth needs an admin in users.admins to approve sign-ups"; return 0; }
      native_login "$name" "$base" || return 0
      ;;
    *) fail "$name: auth '$auth' is not one this script can log in with (dummy, shared-password, native)"; return 0 ;;
  esac

  # the trainer's token (without admins: the student's own), the student's server
  local tok holder="${admin:-$student}" hjar="$j/admin.jar"
  [ -n "$admin" ] || hjar="$j/alice.jar"
  tok="$(hubc "${ca[@]}" --jar "$hjar" "$base" token "$holder" 2>&1)"
  check "$name: $holder gets an API token (POST /hub/api/users/$holder/tokens with the login cookie)" \
    test "${#tok}" -ge 20 || { echo "    | $tok"; return 0; }
  check "$name: $holder starts $student's server (REST API)" \
    has "$(hubc "${ca[@]}" "$base" api POST "/hub/api/users/$student/server" "$tok")" 20
  check "$name: $student's server becomes ready" hubc "${ca[@]}" "$base" wait-ready "$student" "$tok" 240
  check "$name: /user/$student/api/status answers" \
    has "$(hubc "${ca[@]}" "$base" api GET "/user/$student/api/status" "$tok" | head -n 1)" 200
  local c="$name-$student"
  check "$name: $student's container has the memory limit from users.memory" eq "$(inspect "$c" '{{.HostConfig.Memory}}')" "$S_MEMORY"
  check "$name: $student's container has the CPU quota from users.cpu" eq "$(inspect "$c" '{{.HostConfig.CpuQuota}}/{{.HostConfig.CpuPeriod}} {{.HostConfig.NanoCpus}}' | cpu_of)" "$S_CPU"
  check "$name: $student's home volume is on the whole home (the work dir inside it)" \
    has "$(inspect "$c" '{{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}} {{end}}')" "$name-home-$student:/home/jovyan:true"
  if [ "$datasets" = 1 ]; then
    check "$name: /data is mounted read-only" has "$(inspect "$c" '{{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}} {{end}}')" "$name-datasets:/data:false"
    local d
    for d in $S_DATASETS; do
      check "$name: the user sees /data/$d (not empty)" test -n "$(docker exec "$c" ls -A "/data/$d" 2>/dev/null)"
    done
    [ "$sample" = 0 ] || check "$name: the user reads /data/sample" has "$(docker exec "$c" sha256sum /data/sample/sample.bin 2>&1)" "$SAMPLE_SHA"
    d="${S_DATASETS%% *}"
    check "$name: a write to /data fails in the user's container" fails docker exec "$c" touch "/data/$d/x"
  fi
  check "$name: $student's container is on the bundle's network" has "$(inspect "$c" '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}')" "$net"
  check "$name: $student's container publishes no port" eq "$(inspect "$c" '{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}')" ""

  # the notebooks: cloned on first start; the student edits one, the trainer commits upstream
  local nb
  for nb in "${nbs[@]}"; do
    check "$name: notebooks: $WORK/$nb is in $student's home on first start (from the test's git server, HTTPS)" \
      wait_until 60 docker exec "$c" grep -q "upstream v1" "$WORK/$nb/README.md" "$WORK/$nb/lesson.ipynb"
  done
  local nb0="${nbs[0]:-}" repo0=""
  if [ -n "$nb0" ]; then
    repo0="${S_REPOS%% *}"; repo0="${repo0##*/}"; repo0="${repo0%.git}"
    check "$name: notebooks: $student edits $nb0/README.md (Jupyter contents API)" \
      has "$(hubc "${ca[@]}" "$base" api PUT "/user/$student/api/contents/$nb0/README.md" "$tok" '{"type": "file", "format": "text", "content": "student edit\n"}' | head -n 1)" 200
    check "$name: notebooks: the trainer commits upstream (README.md and lesson.ipynb changed, new-lesson.ipynb added)" \
      upstream_commit "$srv" "$repo0"
  fi

  # something to keep: a file in the work dir, and the whole home (settings under ~/.jupyter)
  check "$name: $student saves a file through the Jupyter API" \
    has "$(hubc "${ca[@]}" "$base" api PUT "/user/$student/api/contents/e2e-kept.txt" "$tok" '{"type": "file", "format": "text", "content": "kept"}' | head -n 1)" 20
  docker exec "$c" sh -c 'mkdir -p ~/.jupyter && echo kept > ~/.jupyter/e2e-setting' >/dev/null 2>&1

  # down (no -v), up: same users, same cookie secret, the file is still there, nothing downloaded again
  check "$name: the hub's own health check reports healthy (docker inspect)" wait_healthy "$name-hub-1" 120
  local gets_before; gets_before="$(files_log | grep -c 'GET /sample.bin' || true)"
  servers_leave "$net"
  CT=300 check "$name: docker compose down (no -v)" compose down
  # the second up is offline: the datasets are complete, the test's servers are gone and the
  # bundle's network reaches nothing outside itself (as at a venue whose internet is down)
  CT=300 compose up --no-start >/dev/null 2>&1
  local subnet; subnet="$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$net" 2>/dev/null)"
  check "$name: the bundle's network is cut off from everything outside it ($subnet)" test -n "$subnet" && offline_on "$subnet"
  CT=600 check "$name: docker compose up -d again, offline" compose up -d || { offline_off; return 0; }
  # what a user sees, not Docker's health status (first probed 30 s after the start, see above)
  check "$name: the hub answers again offline at $base/hub/health" \
    wait_until 300 curl -fsS --max-time 10 "${ca[@]}" -o /dev/null "$base/hub/health" \
    || { compose logs --tail 40 2>&1 | sed 's/^/    | /'; offline_off; return 0; }
  check "$name: $holder's token still works (same user database)" \
    has "$(hubc "${ca[@]}" "$base" api GET "/hub/api/users/$student" "$tok" | head -n 1)" 200
  check "$name: $student's login cookie still works (same cookie secret)" \
    has "$(hubc "${ca[@]}" --jar "$j/alice.jar" "$base" api GET /hub/home - | head -n 1)" 200
  if [ "$datasets" = 1 ]; then
    check "$name: ... fetch-datasets skipped everything offline (exit 0, 'already in place')" \
      has "$(wait_exited "$name-fetch-datasets-1" 60 && docker logs "$name-fetch-datasets-1" 2>&1)" "${S_DATASETS%% *}: already in place"
  fi
  offline_off
  servers_join "$net"
  if [ "$sample" = 1 ]; then
    check "$name: the second up downloaded nothing" eq "$(files_log | grep -c 'GET /sample.bin' || true)" "$gets_before"
  fi
  # atlasod verify: the analysis repository's notebooks, headless, as its test user, through the
  # hub; now, while no student's server runs (the hub admits users.count active servers)
  case " $S_REPOS " in *"/analysis.git "*) verify_checks "$name" "$spec" "$base" "$tok" "$j" ;; esac
  # the idle culler, when the spec's timeout is short: a server nobody uses, stopped by the hub
  local idler=bob culling=0 active_pid=""
  # (started now, checked after the other checks; the hub stays up until single mode)
  if [ "$S_IDLE" -le 300 ] && [ -n "$admin" ]; then
    culling=1
    hubc "${ca[@]}" "$base" api POST "/hub/api/users/$idler" "$tok" >/dev/null
    check "$name: culler: $admin starts $idler's server, which nobody then uses" \
      has "$(hubc "${ca[@]}" "$base" api POST "/hub/api/users/$idler/server" "$tok" | head -n 1)" 20
    # meanwhile alice works: her file list every 5 s, through the proxy, as her browser would
    # (and stops by itself when this spec's subshell is gone, whatever way it ended)
    local me="$BASHPID"
    ( while sleep 5 && kill -0 "$me" 2>/dev/null; do hubc "${ca[@]}" "$base" api GET "/user/$student/api/contents" "$tok" >/dev/null 2>&1; done ) &
    active_pid=$!
  fi

  hubc "${ca[@]}" "$base" api POST "/hub/api/users/$student/server" "$tok" >/dev/null
  check "$name: $student's server starts again" hubc "${ca[@]}" "$base" wait-ready "$student" "$tok" 240

  check "$name: the file saved before down is still there" \
    has "$(hubc "${ca[@]}" "$base" api GET "/user/$student/api/contents/e2e-kept.txt" "$tok")" '"content": "kept"'
  check "$name: the home outside the work dir persists too (~/.jupyter)" \
    has "$(docker exec "$c" cat /home/jovyan/.jupyter/e2e-setting 2>&1)" kept
  if [ -n "$nb0" ]; then
    check "$name: notebooks: $student's edit survived the restart and the upstream commit to the same file (nbgitpuller's merge)" \
      wait_until 60 docker exec "$c" grep -qx "student edit" "$WORK/$nb0/README.md"
    check "$name: notebooks: the file $student did not touch follows upstream (lesson.ipynb v2)" \
      wait_until 30 docker exec "$c" grep -q "upstream v2" "$WORK/$nb0/lesson.ipynb"
    check "$name: notebooks: the new upstream file appears (new-lesson.ipynb)" \
      wait_until 30 docker exec "$c" test -f "$WORK/$nb0/new-lesson.ipynb"
  fi

  if [ "$sample" = 1 ]; then bad_checksum "$spec" "$name" "$2"; fi

  # single mode beside the running hub (meanwhile the culler's clock runs)
  single_mode "$name" "$datasets"

  local homes="$name-home-$student "
  if [ "$culling" = 1 ]; then
    homes="$name-home-$student $name-home-$idler "
    # culled once idle for idle_timeout, checked every cull_every (timeout/2, at least 60 s): at
    # most timeout + cull_every after its start, plus a margin. Meanwhile alice's server is in use.
    check "$name: culler: $idler's idle server is stopped by the idle culler (idle_timeout ${S_IDLE}s)" \
      hubc "${ca[@]}" "$base" wait-stopped "$idler" "$tok" $(( S_IDLE + S_IDLE / 2 + 120 )) "$student"
    check "$name: culler: ... the hub's log says the culler did it" has "$(docker logs "$name-hub-1" 2>&1 | grep -i -E "cull|idle" | grep -i "$idler" | tail -n 3)" "$idler"
    check "$name: culler: ... and $idler's container is gone (DockerSpawner removes it; the home stays)" \
      wait_until 30 fails docker inspect "$name-$idler"
    check "$name: culler: $student's server, in use all along, was not culled (activity reported as often as the culler checks)" \
      hubc "${ca[@]}" "$base" wait-ready "$student" "$tok" 5
  fi
  [ -z "$active_pid" ] || { kill "$active_pid" 2>/dev/null; wait "$active_pid" 2>/dev/null; }


  # a student taken off the roster: locked out, home kept (after the checks above, which a hub
  # restart would disturb: a running server's API calls are refused until it reconnects)
  if [ "$auth" = native-roster ]; then
    roster_removal "$name" "$base" "$2" "$spec" || return 0
    homes="$homes${EXTRA_HOMES:-}"
  fi
  # verify's test user has a home too (kept like every home), in the sorted list
  # shellcheck disable=SC2086 # $homes: a list of names, split on purpose
  [ -z "${VERIFY_HOME:-}" ] || homes="$(printf '%s\n' $homes "$VERIFY_HOME" | sort | tr '\n' ' ')"

  # down -v: what the README says it deletes (compose's volumes), and not the users' homes
  local before_v; before_v="$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')"
  CT=300 check "$name: docker compose down -v" compose down -v
  check "$name: down -v deleted compose's volumes, kept the homes and single mode's volume (before: $before_v)" \
    eq "$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')" "$homes$name-single-work "
  CT=300 check "$name: docker compose --profile single down -v" compose --profile single down -v
  check "$name: ... deleted single mode's volume too, and kept the homes" \
    eq "$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')" "$homes"
  say "$name: took $(( $(date +%s) - spec_start ))s"
}

cpu_of() {  # "quota/period nanocpus" -> cores, as the spec writes them
  python3 -c "import sys; q,n=sys.stdin.read().split(); a,b=map(int,q.split('/')); v=(a/b if a>0 and b>0 else int(n)/1e9); print(('%g' % v))"
}

single_mode() {  # name datasets: one spec at a time (single mode is always 127.0.0.1:8888)
  local name="$1" datasets="$2" c="$1-single"
  exec 8>"$W/single.lock"
  flock -w 900 8 || { fail "$name: single mode: waited 900 s for another spec's single mode"; return 0; }
  # as the README says (up, then open the URL); the wait is on what a user sees, not on the
  # image's HEALTHCHECK, whose 1 s timeout a loaded machine misses
  CT=300 check "$name: single mode starts (docker compose --profile single up -d single)" compose --profile single up -d single || { exec 8>&-; return 0; }
  local port; port="$(compose --profile single port single 8888 | tail -n 1)"
  check "$name: single mode binds 127.0.0.1 only" has "$port" "127.0.0.1:"
  local u="http://$port"
  check "$name: single mode answers with the token" wait_until 180 curl -fsS --max-time 10 -o /dev/null -H "Authorization: token $JTOKEN" "$u/api/status"
  check "$name: single mode refuses without the token" eq "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$u/api/status")" 403
  local sc; sc="$(compose --profile single ps -q single)"
  if [ "$datasets" = 1 ]; then
    check "$name: single mode: /data is read-only" fails docker exec "$sc" touch "/data/${S_DATASETS%% *}/x"
  fi
  local nb
  for nb in $S_NOTEBOOKS; do
    check "$name: single mode: the notebooks are in the work volume ($WORK/$nb)" wait_until 60 docker exec "$sc" test -f "$WORK/$nb/README.md"
  done
  curl -fsS --max-time 10 -o /dev/null -X PUT -H "Authorization: token $JTOKEN" -H 'Content-Type: application/json' \
    -d '{"type": "file", "format": "text", "content": "single"}' "$u/api/contents/e2e-single.txt"
  # the container goes, the volume stays (the hub keeps running beside it)
  CT=300 check "$name: single mode stops and its container is removed" compose --profile single rm -s -f single
  # offline: the datasets are complete, the test's servers are gone, nothing outside the network answers
  servers_leave "$name-net"
  CT=300 compose --profile single up --no-start single >/dev/null 2>&1
  local subnet; subnet="$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$name-net" 2>/dev/null)"
  [ -z "$subnet" ] || offline_on "$subnet"
  CT=300 check "$name: single mode starts again offline (datasets complete, no server reachable)" compose --profile single up -d single
  check "$name: ... and answers offline" wait_until 180 curl -fsS --max-time 10 -o /dev/null -H "Authorization: token $JTOKEN" "$u/api/status"
  if [ "$datasets" = 1 ]; then
    check "$name: ... fetch-datasets skipped everything offline (exit 0, 'already in place')" \
      has "$(wait_exited "$name-fetch-datasets-1" 60 && docker logs "$name-fetch-datasets-1" 2>&1)" "${S_DATASETS%% *}: already in place"
  fi
  check "$name: single mode's work volume kept the file across rm/up" \
    wait_until 60 sh -c "curl -fsS --max-time 10 -H 'Authorization: token $JTOKEN' '$u/api/contents/e2e-single.txt' | grep -q '\"content\": \"single\"'"
  offline_off
  CT=300 compose --profile single rm -s -f single >/dev/null 2>&1
  exec 8>&-
}

make_ntuple() {  # name srv: the 2025-layout ntuple, written with uproot in the ATLAS stand-in
  docker run --rm --label "$RUN_LABEL" --user 0 --network none -v "$2/files:/out" -v "$HERE/e2e/ntuple.py:/ntuple.py:ro" \
    --entrypoint python3 "$ATLAS_IMAGE" /ntuple.py /out/ODEO_FEB2025_v0_GamGam_data15_periodD.GamGam.root
}
verify_json() {  # python-assertion: about the report of the last verify run ($VERIFY_JSON), r by notebook path
  python3 -c 'import json, sys; r = {n["path"]: n for n in json.load(open(sys.argv[1]))["notebooks"]}; exec(sys.argv[2])' "$VERIFY_JSON" "$1"
}
verify_reported() {  # exit-code stderr-file
  [ "$1" = 1 ] || { echo "exit $1, expected 1"; cat "$2" "$VERIFY_JSON"; return 1; }
  verify_json 'assert sorted(r) == ["analysis/broken.ipynb", "analysis/diphoton.ipynb", "analysis/histogram.ipynb", "analysis/memory.ipynb", "notebooks/lesson.ipynb", "notebooks/new-lesson.ipynb"], sorted(r)'
}
verify_checks() {  # name spec base token dir: one verify run, a PASS line for each of its verdicts
  local name="$1" spec="$2" base="$3" tok="$4" d="$5" rc
  printf '%s\n' "$tok" > "$d/admin.token"
  local t0; t0=$(date +%s)
  NO_COLOR=1 timeout 900 "$ATLASOD" verify "$spec" --target local --hub "$base" --token-file "$d/admin.token" \
    --format json --start-timeout 240 --timeout 300 > "$d/verify.json" 2> "$d/verify.err"; rc=$?
  say "$name: atlasod verify took $(( $(date +%s) - t0 ))s"
  VERIFY_JSON="$d/verify.json"
  VERIFY_HOME="$name-home-atlasod-2dverify"   # DockerSpawner's escaping of atlasod-verify
  check "$name: atlasod verify --target local exits 1 (two fail) and reports every notebook (notebooks.git: all, analysis.git: its verify list)" \
    verify_reported "$rc" "$d/verify.err"
  check "$name: verify: analysis/diphoton.ipynb passes: set_release('2025e-13tev-beta') reads /data (the hook's line), uproot histograms the ntuple" \
    verify_json 'n = r["analysis/diphoton.ipynb"]; assert n["passed"] and n["data"]["source"] == "local" and "reads the workshop copy in /data" in n["data"]["lines"][0], n'
  check "$name: verify: analysis/histogram.ipynb passes in the workshop's image, against /data" \
    verify_json 'n = r["analysis/histogram.ipynb"]; assert n["passed"] and n["cells"] == 2 and n["memory"]["limit_from_cgroup"] and n["memory"]["limit_bytes"] == 1 << 30, n'
  check "$name: verify: analysis/broken.ipynb fails at its third cell, with the IndexError" \
    verify_json 'f = r["analysis/broken.ipynb"]["failure"]; assert (f["kind"], f["cell"]) == ("error", 3) and f["message"] == "IndexError: list index out of range", f'
  check "$name: verify: analysis/memory.ipynb fails on memory (killed past users.memory, 1 GiB) at its second cell" \
    verify_json 'f = r["analysis/memory.ipynb"]["failure"]; assert (f["kind"], f["cell"]) == ("memory", 2), f'
  check "$name: verify: progress on stderr, and the test user's server stopped at the end" \
    has "$(cat "$d/verify.err")" "stopping atlasod-verify's server"
}

bad_checksum() {  # spec name dir: a copy of the spec whose dataset has a wrong SHA-256
  local spec="$1" name="$2" bad="$3/bad.yaml" bname="$2-badsum"
  sed -e "s/^name: .*/name: $bname/" -e "s/sha256: .*/sha256: $(printf 'e%.0s' $(seq 64))/" "$spec" > "$bad"
  local BB="$3/badsum/local"
  check "$bname: atlasod builds the copy with a wrong SHA-256" "$ATLASOD" build "$bad" --target local --output "$3/badsum" --quiet || return 0
  local B="$BB"
  CT=120 compose up --no-start fetch-datasets >/dev/null 2>&1
  docker network connect --alias atlasod-e2e-files "$bname-net" "$FILES" 2>/dev/null || true
  local out; out="$(CT=180 compose run --rm fetch-datasets 2>&1)"; local rc=$?
  check "$name: a wrong SHA-256 fails the fetch (exit non-zero)" test "$rc" -ne 0
  check "$name: ... and the error names the dataset" has "$out" "sample:"
  docker network disconnect "$bname-net" "$FILES" >/dev/null 2>&1 || true
  CT=120 compose down -v >/dev/null 2>&1
}

roster_login() {  # name base: every roster account exists with its password; nobody else gets in
  local name="$1" base="$2" user pw
  while IFS=, read -r user pw; do
    check "$name: roster user $user logs in with the password from accounts.csv, no sign-up or approval" \
      hubc "${ca[@]}" --jar "$j/$user.jar" "$base" login "$user" "$pw"
  done < <(grep -v '^#' "$B/accounts.csv" | tail -n +2)
  cp "$j/$student.jar" "$j/alice.jar"  # the jar the rest of the run uses for its student
  check "$name: an outsider cannot sign up (sign-up is off)" fails hubc "${ca[@]}" --jar "$j/outsider.jar" "$base" signup outsider "Outsider-$RANDOM-$RANDOM"
  check "$name: ... nor log in" fails hubc "${ca[@]}" --jar "$j/outsider.jar" "$base" login outsider "Outsider-$RANDOM-$RANDOM"
}

roster_removal() {  # name base dir spec: the last roster user leaves the roster and is locked out; the home stays
  local name="$1" base="$2" d="$3" spec="$4" gone pw rtok
  IFS=, read -r gone pw < <(tail -n 1 "$B/accounts.csv")
  rtok="$(hubc "${ca[@]}" --jar "$j/$gone.jar" "$base" token "$gone" 2>&1)"
  check "$name: $gone starts a server (a home volume to keep)" has "$(hubc "${ca[@]}" "$base" api POST "/hub/api/users/$gone/server" "$rtok")" 20
  check "$name: $gone's server becomes ready" hubc "${ca[@]}" "$base" wait-ready "$gone" "$rtok" 240
  hubc "${ca[@]}" "$base" api DELETE "/hub/api/users/$gone/server" "$rtok" >/dev/null 2>&1
  hubc "${ca[@]}" "$base" wait-stopped "$gone" "$rtok" 120 >/dev/null 2>&1
  local roster; roster="$(dirname "$spec")/$S_ROSTER"
  grep -v "^$gone," "$roster" > "$roster.new" && mv "$roster.new" "$roster"
  # the trainer's steps after taking a student off the class list
  check "$name: after removing $gone from the roster: atlasod build" "$ATLASOD" build "$spec" --target local --output "$d/out" --quiet
  check "$name: ... atlasod accounts drops $gone's password" "$ATLASOD" accounts "$spec" --output "$d/out" --quiet
  check "$name: ... docker compose restart hub" compose restart hub
  wait_until 180 curl -fsS --max-time 10 "${ca[@]}" -o /dev/null "$base/hub/health"
  check "$name: the removed student $gone is locked out (login refused)" fails hubc "${ca[@]}" --jar "$j/$gone-2.jar" "$base" login "$gone" "$pw"
  check "$name: ... while $student still logs in" hubc "${ca[@]}" --jar "$j/$student-2.jar" "$base" login "$student" "$(grep "^$student," "$B/accounts.csv" | cut -d, -f2)"
  check "$name: ... and $gone's home volume is kept" docker volume inspect "$name-home-$gone"
  EXTRA_HOMES="$name-home-$gone "
}

native_login() {  # name base: the admin's account exists; sign-up, refused before approval, approved, then in
  local name="$1" base="$2"
  NATIVE_PW="Atlasod-e2e-$RANDOM-$RANDOM"
  check "$name: a stranger's sign-up under the admin's name is refused (the account exists from the first start)" \
    fails hubc "${ca[@]}" --jar "$j/stranger.jar" "$base" signup "$admin" "$NATIVE_PW"
  check "$name: the stranger's password does not log in as the admin" fails hubc "${ca[@]}" --jar "$j/stranger.jar" "$base" login "$admin" "$NATIVE_PW"
  check "$name: the admin logs in with ADMIN_PASSWORD from .env" hubc "${ca[@]}" --jar "$j/admin.jar" "$base" login "$admin" "$ADMIN_PW"
  check "$name: a student signs up" hubc "${ca[@]}" --jar "$j/alice.jar" "$base" signup "$student" "$NATIVE_PW-s"
  check "$name: the student's login is refused before approval" fails hubc "${ca[@]}" --jar "$j/alice.jar" "$base" login "$student" "$NATIVE_PW-s"
  check "$name: the admin approves the student at /hub/authorize" hubc "${ca[@]}" --jar "$j/admin.jar" "$base" authorize "$student"
  check "$name: the approved student logs in" hubc "${ca[@]}" --jar "$j/alice.jar" "$base" login "$student" "$NATIVE_PW-s"
}

# ---- run: every spec in a subshell of its own, in parallel; lines printed as each spec ends -------------
SPECS=("$@")
[ "${#SPECS[@]}" -gt 0 ] || SPECS=("$REPO"/tests/e2e/*.yaml)
JOBS="${ATLASOD_E2E_JOBS:-${#SPECS[@]}}"
declare -A SEEN=()
i=0
for s in "${SPECS[@]}"; do
  case "$s" in /*) ;; *) s="$PWD/$s" ;; esac
  facts="$(python3 "$HERE/e2e/spec.py" facts "$s" 2>&1)" || { fail "$s: readable as a spec ($facts)"; continue; }
  eval "$facts"
  [ -z "${SEEN[$S_NAME]:-}" ] || { fail "$s: its name $S_NAME is also the name of ${SEEN[$S_NAME]}"; continue; }
  SEEN[$S_NAME]="$s"
  PROJECTS+=("$S_NAME" "$S_NAME-badsum")
  i=$((i + 1)); d="$W/spec-$i"; mkdir -p "$d"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  (
    trap - EXIT INT TERM
    # specs on the same hub port one after the other
    exec 7>"$W/port-$S_PORT.lock"; flock 7
    B=""
    run_spec "$s" "$d"
    if [ "${ATLASOD_E2E_KEEP:-}" != 1 ]; then
      [ -z "$B" ] || (cd "$B" 2>/dev/null && timeout 300 docker-compose --profile single down -v >/dev/null 2>&1)
      cleanup_project "$S_NAME"; cleanup_project "$S_NAME-badsum"
    fi
    echo "$d" >> "$W/done"
  ) > "$d/log" 2>&1 &
  CHILDREN+=("$!")
  echo "$s" > "$d/spec"
done
# print each spec's lines when it ends, in the order they end
shown=0
while :; do
  mapfile -t ended < <(cat "$W/done" 2>/dev/null)
  for ((k = shown; k < ${#ended[@]}; k++)); do cat "${ended[$k]}/log"; done
  shown=${#ended[@]}
  [ "$(jobs -rp | wc -l)" -gt 0 ] || break
  sleep 2
done
wait
mapfile -t ended < <(cat "$W/done" 2>/dev/null)
for ((k = shown; k < ${#ended[@]}; k++)); do cat "${ended[$k]}/log"; done
for d in "$W"/spec-*; do
  [ -f "$d/log" ] || continue
  grep -qxF "$d" "$W/done" 2>/dev/null || { cat "$d/log"; fail "$(cat "$d/spec"): the run of this spec ended early"; }
  passed=$((passed + $(grep -c '^PASS: ' "$d/log"))); failed=$((failed + $(grep -c '^FAIL: ' "$d/log")))
done

say "took $(( $(date +%s) - START ))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
