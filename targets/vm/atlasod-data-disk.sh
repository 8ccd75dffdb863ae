#!/bin/sh
# Mounts the workshop's persistent data disk at /srv/atlasod (homes, datasets
# and Docker's data live there). Installed by atlasod's cloud-init.
#
# The disk is formatted only when it carries no signature at all (a new,
# empty volume). A disk with any filesystem or partition table is never
# formatted: this script mounts it, or stops with an error.
# Safe to run again: it waits for the disk, mounts it once, and grows the
# filesystem after the volume was enlarged (`data_disk_gb` in Terraform).
set -eu

mount_point=/srv/atlasod
label=atlasod-data

# ATLASOD_DATA_DEVICE: the disk's stable name(s) under /dev/disk/by-id,
# separated by spaces when the cloud may use either.
# shellcheck source=/dev/null
. /etc/atlasod/host.env
candidates=${ATLASOD_DATA_DEVICE:?"/etc/atlasod/host.env does not name ATLASOD_DATA_DEVICE"}

# The volume may be attached a little after boot: wait up to ten minutes.
device=
waited=0
while [ -z "$device" ]; do
  for candidate in $candidates; do
    if [ -b "$candidate" ]; then
      device=$candidate
    fi
  done
  if [ -n "$device" ]; then
    break
  fi
  if [ "$waited" -ge 600 ]; then
    echo "atlasod: the data disk ($candidates) did not appear within 10 minutes" >&2
    exit 1
  fi
  udevadm settle --timeout=5 || true
  sleep 5
  waited=$((waited + 5))
done
device=$(readlink -f "$device")

# blkid -p exits 2 when it finds no signature at all, 0 when it finds one.
status=0
blkid -p "$device" >/dev/null 2>&1 || status=$?
case "$status" in
  0) ;;
  2)
    echo "atlasod: $device is empty: creating an ext4 filesystem"
    mkfs.ext4 -q -L "$label" -m 1 "$device"
    ;;
  *)
    echo "atlasod: cannot probe $device (blkid exit $status); not touching it" >&2
    exit 1
    ;;
esac

fs_type=$(blkid -s TYPE -o value "$device")
uuid=$(blkid -s UUID -o value "$device")
if [ -z "$uuid" ]; then
  echo "atlasod: $device has no filesystem UUID (a partition table?); mount it by hand" >&2
  exit 1
fi

mkdir -p "$mount_point"
if ! grep -q "^UUID=$uuid " /etc/fstab; then
  printf 'UUID=%s %s %s defaults,nofail,x-systemd.device-timeout=10min 0 2\n' \
    "$uuid" "$mount_point" "$fs_type" >>/etc/fstab
  systemctl daemon-reload
fi
if ! mountpoint -q "$mount_point"; then
  mount "$mount_point"
fi
if [ "$fs_type" = ext4 ]; then
  resize2fs "$device" >/dev/null 2>&1 || true
fi
echo "atlasod: data disk $device ($fs_type) mounted at $mount_point"
