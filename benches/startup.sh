#!/usr/bin/env bash
# shellcheck disable=SC2016 # backticks in printf formats are Markdown, not commands
# benches/startup.sh: what a whole `atlasod` process costs, as a trainer, an
# editor's save hook or a CI job runs it.
#
# For each command: instructions (valgrind --tool=callgrind: a count that does
# not drift with the machine's load), the hyperfine median, and the peak RSS
# (/usr/bin/time -v). Then the 10,000-user spec (every user in
# `auth.allowed`, as benches/check.rs builds it): check and build, per user.
#
#   cargo build --release && bash benches/startup.sh
#   ATLASOD=/path/to/atlasod bash benches/startup.sh      # another binary
#   STARTUP_RUNS=50 ...                                    # hyperfine runs (default 30)
#
# Needs valgrind, hyperfine and GNU time (Debian packages valgrind,
# hyperfine, time). Prints a Markdown table; asserts nothing.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${ATLASOD:-$repo/target/release/atlasod}"
runs="${STARTUP_RUNS:-30}"
for tool in valgrind hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "startup.sh: $tool is missing (apt-get install valgrind hyperfine time)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "startup.sh: no binary at $bin (cargo build --release)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$repo"

# The 10,000-user spec of benches/check.rs, and a 1,000-user one to see the slope.
users_spec() {
    local count="$1" file="$2"
    {
        printf 'version: 1\nname: mooc-2027\ncloud:\n  kubernetes:\n    context: big\nusers:\n  count: %s\n  cpu: 0.25\n  memory: 1GiB\n  admins: [student00001]\nauth:\n  method: github\n  allowed:\n' "$count"
        for ((i = 1; i <= count; i++)); do printf '    - student%05d\n' "$i"; done
    } >"$file"
}
users_spec 10000 "$work/users-10000.yaml"
users_spec 1000 "$work/users-1000.yaml"

# name | arguments (the output folder, where there is one, is $work/out)
commands=(
    "--version|--version"
    "check laptop|check examples/laptop.yaml"
    "check masterclass-aws|check examples/masterclass-aws.yaml"
    "check university-gcp|check examples/university-gcp.yaml"
    "check cern-openstack|check examples/cern-openstack.yaml"
    "check online-k8s|check examples/online-k8s.yaml"
    "build local masterclass-aws|build -q --target local examples/masterclass-aws.yaml -o OUT"
    "build aws masterclass-aws|build -q --target aws examples/masterclass-aws.yaml -o OUT"
    "build gcp university-gcp|build -q --target gcp examples/university-gcp.yaml -o OUT"
    "build openstack cern-openstack|build -q --target openstack examples/cern-openstack.yaml -o OUT"
    "build kubernetes online-k8s|build -q --target kubernetes examples/online-k8s.yaml -o OUT"
    "build (all 4) three-clouds|build -q benches/specs/three-clouds.yaml -o OUT"
    "check 1,000 users|check $work/users-1000.yaml"
    "check 10,000 users|check $work/users-10000.yaml"
    "build kubernetes 10,000 users|build -q --target kubernetes $work/users-10000.yaml -o OUT"
)

instructions() { # args... -> instructions counted by callgrind
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
median_ms() { # "command line" -> hyperfine median in ms
    hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" "$1" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/h.json"
}
peak_rss_kib() { # args... -> maximum resident set size in KiB
    /usr/bin/time -v "$bin" "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
}

printf '| command | instructions | median | peak RSS |\n|---|---:|---:|---:|\n'
declare -A count
for entry in "${commands[@]}"; do
    name="${entry%%|*}"
    line="${entry#*|}"
    # shellcheck disable=SC2086 # the arguments are words
    set -- ${line//OUT/$work/out}
    rm -rf "$work/out"
    if ! "$bin" "$@" >/dev/null 2>&1; then
        printf '| `%s` | fails (exit %s) | | |\n' "$name" "$("$bin" "$@" >/dev/null 2>&1; echo $?)"
        continue
    fi
    rm -rf "$work/out"
    n="$(instructions "$@")"
    count[$name]="$n"
    rm -rf "$work/out"
    ms="$(median_ms "$bin $*")"
    rm -rf "$work/out"
    rss="$(peak_rss_kib "$@")"
    printf '| `%s` | %s M | %s ms | %s MiB |\n' "$name" \
        "$(python3 -c "print(f'{$n / 1e6:.2f}')")" "$ms" "$(python3 -c "print(f'{$rss / 1024:.1f}')")"
done
per_user() { python3 -c "print(f'{($1 - $2) / 9000:.0f}')"; }
printf '\nPer allow-listed user (10,000 minus 1,000 users, over 9,000): check %s instructions.\n' \
    "$(per_user "${count[check 10,000 users]}" "${count[check 1,000 users]}")"
printf 'Release binary: %s bytes.\n' "$(stat -c %s "$bin")"
