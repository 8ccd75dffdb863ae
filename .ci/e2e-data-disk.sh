#!/usr/bin/env bash
# The VM targets' data-disk script (targets/vm/atlasod-data-disk.sh, the one cloud-init installs),
# run for real against loop devices. One PASS/FAIL line per check, then `N passed, M failed`.
#
#   bash .ci/e2e-data-disk.sh        # as root
#
# Each run of the script happens in a private mount namespace in which /etc/fstab, /etc/atlasod and
# /srv are this test's own files (bind mounts), so the machine's fstab and mounts are never touched;
# `systemctl daemon-reload` (what the script runs after writing fstab) is a no-op there, as no systemd
# reads that fstab. Everything (loop devices, backing files, mounts) is removed at the end.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$(dirname "$HERE")/targets/vm/atlasod-data-disk.sh"
W="$(mktemp -d /tmp/atlasod-disk.XXXXXX)"
passed=0 failed=0 skipped=0

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
check() {
  local what="$1" out; shift
  if out="$("$@" 2>&1)"; then pass "$what"; else fail "$what"; printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'; fi
}
cleanup() {
  local f l
  for f in "$W"/*.img; do
    [ -e "$f" ] || continue
    for l in $(losetup -j "$f" -O NAME -n 2>/dev/null); do losetup -d "$l" 2>/dev/null || true; done
  done
  rm -rf "$W"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "e2e-data-disk: needs root (losetup, mount)" >&2; exit 1; }
for t in losetup mkfs.ext4 blkid resize2fs unshare sfdisk; do
  command -v "$t" >/dev/null || { echo "e2e-data-disk: $t is missing" >&2; exit 1; }
done

new_disk() {  # name size: a loop device over a sparse file; prints the device
  truncate -s "$2" "$W/$1.img" && losetup --find --show "$W/$1.img"
}

# run_script NAME DEVICE [command to run afterwards in the same namespace]: the data-disk script with
# this test's /etc/fstab, /etc/atlasod/host.env and /srv, in a mount namespace of its own
run_script() {
  local name="$1" dev="$2"; shift 2
  local root="$W/$name"
  mkdir -p "$root/etc/atlasod" "$root/srv" "$root/bin"
  [ -f "$root/fstab" ] || : > "$root/fstab"
  echo "ATLASOD_DATA_DEVICE=$dev" > "$root/etc/atlasod/host.env"
  printf '#!/bin/sh\n# no systemd reads the fstab of this namespace\nexit 0\n' > "$root/bin/systemctl"
  chmod 755 "$root/bin/systemctl"
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare -m --propagation private sh -c '
    root=$1; script=$2; shift 2
    mount --bind "$root/fstab" /etc/fstab &&
    mkdir -p /etc/atlasod && mount --bind "$root/etc/atlasod" /etc/atlasod &&
    mount --bind "$root/srv" /srv &&
    PATH="$root/bin:$PATH" sh "$script" && { [ "$#" -eq 0 ] || "$@"; }
  ' sh "$root" "$SCRIPT" "$@"
}

# ---- a blank disk: formatted once, mounted by UUID -------------------------------------------------
if ! dev="$(new_disk blank 256M)"; then
  fail "a loop device can be made"
  echo "$passed passed, $failed failed"
  exit 1
fi
check "a blank disk: the script formats it and mounts it at /srv/atlasod" \
  run_script blank "$dev" sh -c 'mountpoint -q /srv/atlasod && echo kept > /srv/atlasod/marker'
uuid="$(blkid -s UUID -o value "$dev")"
check "a blank disk: ext4 with the label atlasod-data" test "$(blkid -s TYPE -o value "$dev") $(blkid -s LABEL -o value "$dev")" = "ext4 atlasod-data"
check "a blank disk: fstab names it by UUID, with nofail" grep -q "^UUID=$uuid /srv/atlasod ext4 defaults,nofail" "$W/blank/fstab"
check "a second run: not formatted again (same UUID, the file is still there), fstab line not repeated" \
  run_script blank "$dev" sh -c "test \"\$(blkid -s UUID -o value $dev)\" = $uuid && grep -qx kept /srv/atlasod/marker && test \"\$(grep -c UUID= /etc/fstab)\" = 1"

# ---- a disk that already has a filesystem and files: never formatted --------------------------------
dev2="$(new_disk used 256M)"
mkfs.ext4 -q -L trainer-data "$dev2"
mkdir -p "$W/m" && mount "$dev2" "$W/m" && echo precious > "$W/m/precious" && umount "$W/m"
uuid2="$(blkid -s UUID -o value "$dev2")"
check "a disk with a filesystem and files: mounted, never formatted (UUID, label and file kept)" \
  run_script used "$dev2" sh -c "grep -qx precious /srv/atlasod/precious && test \"\$(blkid -s UUID -o value $dev2) \$(blkid -s LABEL -o value $dev2)\" = '$uuid2 trainer-data'"

# ---- a disk with a partition table: left alone, with an error ----------------------------------------
dev3="$(new_disk parted 64M)"
printf 'label: gpt\n,\n' | sfdisk -q "$dev3" >/dev/null 2>&1
out3="$(run_script parted "$dev3" 2>&1)"; rc3=$?
check "a disk with a partition table: exit non-zero, saying why ($(echo "$out3" | tail -n 1))" \
  sh -c "test $rc3 -ne 0 && printf '%s' \"\$1\" | grep -q 'partition table\|not touching\|no filesystem UUID'" sh "$out3"
check "a disk with a partition table: still a partition table, nothing in fstab" \
  sh -c "test \"\$(blkid -p -s PTTYPE -o value $dev3)\" = gpt && ! grep -q UUID= $W/parted/fstab"

# ---- grown: the filesystem follows the volume, online ---------------------------------------------------
# Whether this kernel lets a mounted ext4 grow at all (some sandboxes refuse EXT4_IOC_RESIZE_FS).
online_resize_works() {
  local d m="$W/probe-mnt" ok=1
  truncate -s 64M "$W/probe.img" && d="$(losetup --find --show "$W/probe.img")" || return 1
  mkfs.ext4 -q "$d" && mkdir -p "$m" && mount "$d" "$m" && truncate -s 128M "$W/probe.img" && losetup -c "$d" &&
    resize2fs "$d" >/dev/null 2>&1 && ok=0
  umount "$m" 2>/dev/null
  losetup -d "$d"
  rm -f "$W/probe.img"
  return "$ok"
}
size_of() { run_script blank "$dev" sh -c 'df -B1 --output=size /srv/atlasod | tail -n 1' 2>/dev/null | tail -n 1 | tr -d ' '; }
if online_resize_works; then
  before="$(size_of)"
  truncate -s 512M "$W/blank.img" && losetup -c "$dev"
  after="$(size_of)"
  check "after the volume grew (256M -> 512M), a run grows the mounted filesystem (${before:-?} -> ${after:-?} bytes)" \
    sh -c "[ -n '$before' ] && [ -n '$after' ] && [ '$after' -gt $((before * 3 / 2)) ]"
  check "after growing: the file is still there" run_script blank "$dev" grep -qx kept /srv/atlasod/marker
else
  skip "growing the mounted filesystem: this kernel refuses online ext4 resize (resize2fs: Permission denied) even outside the script"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
