# shellcheck shell=bash
# debian_mirror: prints the URI of the Debian archive this machine's apt is configured with
# (the one that serves its own release, e.g. `http://<host>/debian/`), so that no file of
# the repository names a mirror host. Sourced by .ci/install-tools.sh.
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
