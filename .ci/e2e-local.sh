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
# this script's own HTTP server, a container it attaches to the bundle's network; nothing talks to
# anything but loopback and the containers made here. Every container, volume, network and image
# tag it made is removed at the end (by compose project and by name prefix), also on failure or ^C.
# Env: ATLASOD_E2E_KEEP=1 keeps the bundles' containers and the work dir (for debugging).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
T="${ATLASOD_TOOLS:-/opt/atlasod-tools}"
export PATH="$T/bin:$PATH"
W="$(mktemp -d /tmp/atlasod-e2e.XXXXXX)"
RUN_LABEL="org.atlasod.e2e.run=$$"
FILES=atlasod-e2e-files          # the test HTTP server's container (and host name in the specs)
FILES_IMAGE="quay.io/jupyterhub/jupyterhub:5.5.1"   # any stand-in with python3
STARTED_ENGINE=0
PROJECTS=()
passed=0 failed=0
START=$(date +%s)

say() { echo "e2e: $*" >&2; }
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: PASS when the command succeeds; else FAIL with its last lines
check() {
  local what="$1" out; shift
  if out="$("$@" 2>&1)"; then pass "$what"; else fail "$what"; printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'; fi
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
  if [ "${ATLASOD_E2E_KEEP:-}" = 1 ]; then
    say "ATLASOD_E2E_KEEP=1: leaving the bundles and $W"
  else
    docker ps -aq --filter "label=$RUN_LABEL" | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter "label=$RUN_LABEL" | xargs -r docker network rm >/dev/null 2>&1 || true
    local p
    for p in "${PROJECTS[@]}"; do cleanup_project "$p"; done
    offline_off
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

# ---- the test's HTTP server (datasets, and git's dumb HTTP for notebooks) -------------------------------
mkdir -p "$W/srv"
python3 - "$W/srv/sample.bin" <<'PY'
import hashlib, sys
with open(sys.argv[1], "wb") as out:
    for i in range(65536):
        out.write(hashlib.sha256(b"atlasod-e2e %d" % i).digest() * 2)
PY
SAMPLE_SHA="$(sha256sum "$W/srv/sample.bin" | cut -d' ' -f1)"
docker rm -f "$FILES" >/dev/null 2>&1 || true
docker network rm atlasod-e2e-srv >/dev/null 2>&1 || true
docker network create --label "$RUN_LABEL" --internal atlasod-e2e-srv >/dev/null
docker run -d --name "$FILES" --label "$RUN_LABEL" --network atlasod-e2e-srv -v "$W/srv:/files:ro" \
  -v "$HERE/e2e/fileserver.py:/fileserver.py:ro" --entrypoint python3 "$FILES_IMAGE" /fileserver.py /files 8080 >/dev/null \
  || { fail "the test HTTP server starts"; exit 1; }
files_log() { docker logs "$FILES" 2>&1; }

# ---- one spec ----------------------------------------------------------------------------------------
run_spec() {  # spec file
  local spec="$1" name
  name="$(sed -n 's/^name: *//p' "$spec" | head -n 1)"
  B="$W/$name/local"
  PROJECTS+=("$name")
  cleanup_project "$name"
  say "---- $spec ($name)"
  check "$name: atlasod builds the local bundle" "$ATLASOD" build "$spec" --target local --output "$W/$name" --quiet || return 0
  [ -f "$B/compose.yaml" ] || { fail "$name: the bundle has a compose.yaml"; return 0; }
  local auth https datasets
  auth="$(sed -n 's/^  method: *//p' "$spec" | head -n 1)"
  https="$(sed -n 's/^  https: *//p' "$spec" | head -n 1 | tr -d "\"'")"
  datasets=0; grep -q '^datasets:' "$spec" && datasets=1

  # .env as the README tells a trainer: copy the example, fill in the secrets
  cp "$B/.env.example" "$B/.env"
  # as long as .env.example asks (at least 32 characters for the admins' password)
  SHARED_PW="shared-$(openssl rand -hex 8)" ADMIN_PW="admin-$(openssl rand -hex 20)" JTOKEN="$(openssl rand -hex 24)"
  grep -q '^SHARED_PASSWORD=' "$B/.env" && env_set SHARED_PASSWORD "$SHARED_PW"
  grep -q '^ADMIN_PASSWORD=' "$B/.env" && env_set ADMIN_PASSWORD "$ADMIN_PW"
  env_set JUPYTER_TOKEN "$JTOKEN"

  # build and create (the network too), attach the test server, then start
  local t0; t0=$(date +%s)
  CT=1500 check "$name: docker compose up --no-start (builds the hub and single-user images)" compose up --no-start || return 0
  say "images built and containers created in $(( $(date +%s) - t0 ))s"
  local net="$name-net"
  check "$name: the test HTTP server joins the bundle's network $net" docker network connect "$net" "$FILES"
  if [ "$datasets" = 1 ]; then
    # a download cut off half-way: the first 1.5 MB of the file in the fetcher's partial folder
    head -c 1500000 "$W/srv/sample.bin" | docker run -i --rm --label "$RUN_LABEL" -v "$name-datasets:/data" --entrypoint sh "$FILES_IMAGE" \
      -c 'mkdir -p /data/.atlasod-partial/sample/unpacked && cat > /data/.atlasod-partial/sample/sample.bin'
  fi
  CT=600 check "$name: docker compose up -d (as the README says)" compose up -d || return 0
  check "$name: the hub becomes healthy" wait_healthy "$name-hub-1" 300 || { compose logs --tail 40 2>&1 | sed 's/^/    | /'; return 0; }
  if [ "$datasets" = 1 ]; then
    check "$name: fetch-datasets completes (exit 0)" wait_exited "$name-fetch-datasets-1" 300
  fi

  if [ "$datasets" = 1 ]; then
    check "$name: fetch-datasets resumed the cut-off download (Range: bytes=1500000-)" has "$(files_log)" "GET /sample.bin range=bytes=1500000-"
    check "$name: the dataset in the volume has the spec's SHA-256" \
      has "$(docker run --rm --label "$RUN_LABEL" -v "$name-datasets:/data:ro" --entrypoint sha256sum "$FILES_IMAGE" /data/sample/sample.bin 2>&1)" "$SAMPLE_SHA"
  fi

  # the hub's address
  local base cacert="" port
  port="$(compose port "$( [ "$https" = off ] && echo hub || echo proxy )" "$( [ "$https" = off ] && echo 8000 || echo 443 )" 2>/dev/null | tail -n 1)"
  port="${port##*:}"
  if [ "$https" = off ]; then
    base="http://127.0.0.1:$port"
  else
    base="https://localhost:$port"
    cacert="$W/$name/caddy-root.crt"
    wait_until 30 compose cp proxy:/data/caddy/pki/authorities/local/root.crt "$cacert"
    check "$name: the hub answers through Caddy over HTTPS, verified with Caddy's root (curl --cacert)" \
      wait_until 60 curl -fsS --max-time 10 --cacert "$cacert" -o /dev/null "$base/hub/health"
    check "$name: HTTPS on 127.0.0.1 too (the certificate names it)" \
      curl -fsS --max-time 10 --cacert "$cacert" -o /dev/null "https://127.0.0.1:$port/hub/health"
    check "$name: plain HTTP on the HTTPS port does not serve the hub" \
      fails curl -fsS --max-time 10 -o /dev/null "http://127.0.0.1:$port/hub/login"
  fi
  local ca=(); [ -z "$cacert" ] || ca=(--cacert "$cacert")

  # logging in, as a browser does (the form, with the _xsrf cookie)
  local student=alice admin=trainer spw="$SHARED_PW" apw="$ADMIN_PW"
  case "$auth" in
    shared-password)
      check "$name: a student logs in with the workshop password" hubc "${ca[@]}" --jar "$W/$name/alice.jar" "$base" login "$student" "$spw"
      check "$name: a wrong password is refused" fails hubc "${ca[@]}" --jar "$W/$name/mallory.jar" "$base" login mallory "wrong-$spw"
      check "$name: the admin logs in with ADMIN_PASSWORD" hubc "${ca[@]}" --jar "$W/$name/admin.jar" "$base" login "$admin" "$apw"
      check "$name: the admin cannot log in with the students' password" fails hubc "${ca[@]}" --jar "$W/$name/admin2.jar" "$base" login "$admin" "$spw"
      ;;
    dummy)
      check "$name: a user logs in (dummy)" hubc "${ca[@]}" --jar "$W/$name/alice.jar" "$base" login "$student" x
      check "$name: the admin logs in (dummy)" hubc "${ca[@]}" --jar "$W/$name/admin.jar" "$base" login "$admin" x
      ;;
    native)
      native_login "$name" "$base" || return 0
      ;;
  esac

  # the trainer's token, the student's server
  local tok
  tok="$(hubc "${ca[@]}" --jar "$W/$name/admin.jar" "$base" token "$admin" 2>&1)"
  check "$name: the trainer gets an API token (POST /hub/api/users/$admin/tokens with the login cookie)" \
    test "${#tok}" -ge 20 || { echo "    | $tok"; return 0; }
  check "$name: the trainer starts $student's server (REST API)" \
    has "$(hubc "${ca[@]}" "$base" api POST "/hub/api/users/$student/server" "$tok")" 20
  check "$name: $student's server becomes ready" hubc "${ca[@]}" "$base" wait-ready "$student" "$tok" 240
  check "$name: /user/$student/api/status answers" \
    has "$(hubc "${ca[@]}" "$base" api GET "/user/$student/api/status" "$tok" | head -n 1)" 200
  local c="$name-$student"
  check "$name: $student's container has the memory limit from users.memory" eq "$(inspect "$c" '{{.HostConfig.Memory}}')" "$(spec_bytes "$spec")"
  check "$name: $student's container has the CPU quota from users.cpu" eq "$(inspect "$c" '{{.HostConfig.CpuQuota}}/{{.HostConfig.CpuPeriod}} {{.HostConfig.NanoCpus}}' | cpu_of)" "$(sed -n 's/^  cpu: *//p' "$spec")"
  check "$name: $student's home volume is on the whole home (the work dir inside it)" \
    has "$(inspect "$c" '{{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}} {{end}}')" "$name-home-$student:/home/jovyan:true"
  if [ "$datasets" = 1 ]; then
    check "$name: /data is mounted read-only" has "$(inspect "$c" '{{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}} {{end}}')" "$name-datasets:/data:false"
    check "$name: the user reads /data/sample" has "$(docker exec "$c" sha256sum /data/sample/sample.bin 2>&1)" "$SAMPLE_SHA"
    check "$name: a write to /data fails in the user's container" fails docker exec "$c" touch /data/sample/x
  fi
  check "$name: $student's container is on the bundle's network" has "$(inspect "$c" '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}')" "$net"
  check "$name: $student's container publishes no port" eq "$(inspect "$c" '{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}')" ""

  # something to keep: a file in the work dir, and the whole home (settings under ~/.jupyter)
  check "$name: $student saves a file through the Jupyter API" \
    has "$(hubc "${ca[@]}" "$base" api PUT "/user/$student/api/contents/e2e-kept.txt" "$tok" '{"type": "file", "format": "text", "content": "kept"}' | head -n 1)" 20
  docker exec "$c" sh -c 'mkdir -p ~/.jupyter && echo kept > ~/.jupyter/e2e-setting' >/dev/null 2>&1

  # down (no -v), up: same users, same cookie secret, the file is still there, nothing downloaded again
  local gets_before; gets_before="$(files_log | grep -c 'GET /sample.bin' || true)"
  CT=300 check "$name: docker compose down (no -v)" compose down
  CT=600 check "$name: docker compose up -d again" compose up -d || return 0
  check "$name: the hub becomes healthy again" wait_healthy "$name-hub-1" 300 || return 0
  docker network connect "$net" "$FILES" 2>/dev/null || true
  [ "$https" = off ] || wait_until 60 curl -fsS --max-time 10 --cacert "$cacert" -o /dev/null "$base/hub/health"
  check "$name: the trainer's token still works (same user database)" \
    has "$(hubc "${ca[@]}" "$base" api GET "/hub/api/users/$student" "$tok" | head -n 1)" 200
  check "$name: $student's login cookie still works (same cookie secret)" \
    has "$(hubc "${ca[@]}" --jar "$W/$name/alice.jar" "$base" api GET /hub/home - | head -n 1)" 200
  if [ "$datasets" = 1 ]; then
    check "$name: the second up downloaded nothing" eq "$(files_log | grep -c 'GET /sample.bin' || true)" "$gets_before"
  fi
  hubc "${ca[@]}" "$base" api POST "/hub/api/users/$student/server" "$tok" >/dev/null
  check "$name: $student's server starts again" hubc "${ca[@]}" "$base" wait-ready "$student" "$tok" 240
  check "$name: the file saved before down is still there" \
    has "$(hubc "${ca[@]}" "$base" api GET "/user/$student/api/contents/e2e-kept.txt" "$tok")" '"content": "kept"'
  check "$name: the home outside the work dir persists too (~/.jupyter)" \
    has "$(docker exec "$c" cat /home/jovyan/.jupyter/e2e-setting 2>&1)" kept

  single_mode "$name" "$datasets"
  if [ "$datasets" = 1 ]; then bad_checksum "$spec" "$name"; fi

  # down -v: what the README says it deletes (compose's volumes), and not the users' homes
  local before_v; before_v="$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')"
  CT=300 check "$name: docker compose down -v" compose down -v
  check "$name: down -v deleted compose's volumes, kept the homes and single mode's volume (before: $before_v)" \
    eq "$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')" "$name-home-$student $name-single-work "
  CT=300 check "$name: docker compose --profile single down -v" compose --profile single down -v
  check "$name: ... deleted single mode's volume too, and kept the homes" \
    eq "$(docker volume ls -q | grep -E "^${name}[-_]" | sort | tr '\n' ' ')" "$name-home-$student "
}

spec_bytes() {  # users.memory in bytes
  local m; m="$(sed -n 's/^  memory: *//p' "$1")"
  python3 -c "import re,sys; n,u=re.fullmatch(r'([0-9.]+)\s*([KMGT]i?B)',sys.argv[1]).groups(); f={'KiB':2**10,'MiB':2**20,'GiB':2**30,'TiB':2**40,'KB':1e3,'MB':1e6,'GB':1e9,'TB':1e12}[u]; print(int(float(n)*f))" "$m"
}
cpu_of() {  # "quota/period nanocpus" -> cores, as the spec writes them
  python3 -c "import sys; q,n=sys.stdin.read().split(); a,b=map(int,q.split('/')); v=(a/b if a>0 and b>0 else int(n)/1e9); print(('%g' % v))"
}

single_mode() {  # name datasets
  local name="$1" datasets="$2" c="$1-single"
  # as the README says (up, then open the URL); the wait is on what a user sees, not on the
  # image's HEALTHCHECK, whose 1 s timeout a loaded machine misses
  CT=300 check "$name: single mode starts (docker compose --profile single up -d single)" compose --profile single up -d single || return 0
  local port; port="$(compose --profile single port single 8888 | tail -n 1)"
  check "$name: single mode binds 127.0.0.1 only" has "$port" "127.0.0.1:"
  local u="http://$port"
  check "$name: single mode answers with the token" wait_until 180 curl -fsS --max-time 10 -o /dev/null -H "Authorization: token $JTOKEN" "$u/api/status"
  check "$name: single mode refuses without the token" eq "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$u/api/status")" 403
  local sc; sc="$(compose --profile single ps -q single)"
  if [ "$datasets" = 1 ]; then
    check "$name: single mode: /data is read-only" fails docker exec "$sc" touch /data/sample/x
  fi
  curl -fsS --max-time 10 -o /dev/null -X PUT -H "Authorization: token $JTOKEN" -H 'Content-Type: application/json' \
    -d '{"type": "file", "format": "text", "content": "single"}' "$u/api/contents/e2e-single.txt"
  CT=300 compose --profile single down >/dev/null 2>&1
  # offline: the datasets are complete, the test server is gone, nothing outside the network answers
  docker network disconnect "$name-net" "$FILES" >/dev/null 2>&1 || true
  CT=300 compose --profile single up --no-start single >/dev/null 2>&1
  local subnet; subnet="$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$name-net" 2>/dev/null)"
  [ -z "$subnet" ] || offline_on "$subnet"
  CT=300 check "$name: single mode starts again offline (datasets complete, no server reachable)" compose --profile single up -d single
  check "$name: ... and answers offline" wait_until 180 curl -fsS --max-time 10 -o /dev/null -H "Authorization: token $JTOKEN" "$u/api/status"
  if [ "$datasets" = 1 ]; then
    check "$name: ... fetch-datasets skipped everything offline (exit 0, 'already in place')" \
      has "$(wait_exited "$name-fetch-datasets-1" 60 && docker logs "$name-fetch-datasets-1" 2>&1)" "sample: already in place"
  fi
  check "$name: single mode's work volume kept the file across down/up" \
    wait_until 60 sh -c "curl -fsS --max-time 10 -H 'Authorization: token $JTOKEN' '$u/api/contents/e2e-single.txt' | grep -q '\"content\": \"single\"'"
  offline_off
  CT=300 compose --profile single down >/dev/null 2>&1
}

bad_checksum() {  # spec name: a copy of the spec whose dataset has a wrong SHA-256
  local spec="$1" name="$2" bad="$W/bad.yaml" bname="$2-badsum"
  sed -e "s/^name: .*/name: $bname/" -e "s/sha256: .*/sha256: $(printf 'e%.0s' $(seq 64))/" "$spec" > "$bad"
  PROJECTS+=("$bname")
  local BB="$W/$bname/local"
  check "$bname: atlasod builds the copy with a wrong SHA-256" "$ATLASOD" build "$bad" --target local --output "$W/$bname" --quiet || return 0
  local B="$BB"
  CT=120 compose up --no-start fetch-datasets >/dev/null 2>&1
  docker network connect "$bname-net" "$FILES" 2>/dev/null || true
  local out; out="$(CT=180 compose run --rm fetch-datasets 2>&1)"; local rc=$?
  check "$name: a wrong SHA-256 fails the fetch (exit non-zero)" test "$rc" -ne 0
  check "$name: ... and the error names the dataset" has "$out" "sample:"
  docker network disconnect "$bname-net" "$FILES" >/dev/null 2>&1 || true
  CT=120 compose down -v >/dev/null 2>&1
}

native_login() {  # name base: the admin's account exists; sign-up, refused before approval, approved, then in
  local name="$1" base="$2" j="$W/$1"
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

# ---- run -----------------------------------------------------------------------------------------------
SPECS=("$@")
[ "${#SPECS[@]}" -gt 0 ] || SPECS=("$REPO"/tests/e2e/*.yaml)
for s in "${SPECS[@]}"; do
  case "$s" in /*) ;; *) s="$PWD/$s" ;; esac
  run_spec "$s"
  if [ "${ATLASOD_E2E_KEEP:-}" != 1 ]; then (CT=300; cd "$B" 2>/dev/null && timeout 300 docker-compose --profile single down -v >/dev/null 2>&1); cleanup_project "$(sed -n 's/^name: *//p' "$s" | head -n 1)"; fi
done

say "took $(( $(date +%s) - START ))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
