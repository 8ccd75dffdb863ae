# shellcheck shell=bash
# debian_mirror: prints the URI of the Debian archive this machine's apt is configured with
# (the one that serves its own release, e.g. `http://<host>/debian/`), so that no file of
# the repository names a mirror host. Sourced by .ci/install-tools.sh, .ci/docker.sh and
# .ci/e2e/images.sh.
#
# From `apt-get indextargets` (the sources apt really uses, after `apt-get update`), else from
# the sources files themselves (deb822 `.sources` and one-line `.list`).
debian_mirror() {
  local codename uri
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || { echo "debian_mirror: /etc/os-release names no VERSION_CODENAME" >&2; return 1; }
  # shellcheck disable=SC2016 # $(REPO_URI) is apt's own placeholder
  uri="$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' "Codename: $codename" \
           'Created-By: Packages' 'Target-Of: deb' 2>/dev/null | sort -u | head -n 1)"
  if [ -z "$uri" ]; then
    # deb822: the URIs of a stanza whose Suites include the codename itself
    uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v c="$codename" '
      /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
      tolower($1) == "uris:" { u = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == c) s = 1 }
      END { if (u != "" && s) print u }' | head -n 1)"
  fi
  if [ -z "$uri" ]; then
    uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v c="$codename" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == c) { print $i; exit } }')"
  fi
  [ -n "$uri" ] || { echo "debian_mirror: no apt source for Debian $codename found" >&2; return 1; }
  echo "${uri%/}/"
}

# debian_source_line SUITE: the apt source entry this machine uses for its own Debian release
# (deb822 stanza or one-line entry: its archive, components and Signed-By key), with SUITE in
# place of the release, as one `deb ...` line. Nothing of it is written by hand here.
debian_source_line() {
  local suite="$1" codename line
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || { echo "debian_source_line: /etc/os-release names no VERSION_CODENAME" >&2; return 1; }
  line="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v c="$codename" -v s="$suite" '
    function flush() {
      if (u != "" && hit) {
        opt = (k != "") ? "[signed-by=" k "] " : ""
        print "deb " opt u " " s " " (comp != "" ? comp : "main"); done = 1; exit
      }
      u = ""; k = ""; comp = ""; hit = 0
    }
    /^[[:space:]]*$/ { flush(); next }
    /^[[:space:]]*#/ { next }
    tolower($1) == "uris:" { u = $2 }
    tolower($1) == "signed-by:" { k = $2 }
    tolower($1) == "components:" { comp = $2; for (i = 3; i <= NF; i++) comp = comp " " $i }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == c) hit = 1 }
    END { if (!done) flush() }' | head -n 1)"
  if [ -z "$line" ]; then
    # one-line entries: the `deb` line of the release, with its options, suite replaced
    line="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v c="$codename" -v s="$suite" '
      $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                    if ($(i+1) == c) { $(i+1) = s; print; exit } }')"
  fi
  [ -n "$line" ] || { echo "debian_source_line: no apt source for Debian $codename found" >&2; return 1; }
  echo "$line"
}

# apt_suite_options SUITE DIR: sets APT_SUITE_OPTS to apt options that read only SUITE, from the
# machine's own source entry (debian_source_line), with lists and caches under DIR: for fetching
# one package from another Debian release without touching the machine's apt state.
apt_suite_options() {
  local suite="$1" dir="$2"
  mkdir -p "$dir/lists/partial"
  debian_source_line "$suite" > "$dir/sources.list" || return 1
  # shellcheck disable=SC2034 # read by the scripts that source this file
  APT_SUITE_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$dir/lists"
                  -o "Dir::Cache::pkgcache=$dir/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$dir/srcpkgcache.bin"
                  -o APT::Sandbox::User=root -o Debug::NoLocking=1)
}

# apt_suite_update SUITE DIR: apt_suite_options SUITE DIR, then SUITE's package lists read into
# DIR, and DIR/dl made for downloads: afterwards `apt-get "${APT_SUITE_OPTS[@]}" download ...`
# (run in DIR/dl) and `apt-cache "${APT_SUITE_OPTS[@]}" madison ...` see SUITE alone.
apt_suite_update() {
  local suite="$1" dir="$2"
  mkdir -p "$dir/dl"
  # the machine's own source entry for its release, with the suite replaced (no file names a
  # mirror host or writes its own source line)
  apt_suite_options "$suite" "$dir" ||
    { echo "apt_suite_update: cannot derive an apt source for $suite from this machine's apt sources" >&2; return 1; }
  timeout 600 apt-get "${APT_SUITE_OPTS[@]}" update -qq ||
    { echo "apt_suite_update: apt-get update of Debian $suite failed" >&2; return 1; }
}
