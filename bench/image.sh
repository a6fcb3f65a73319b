#!/usr/bin/env bash
# Builds (once) and caches a realistic VM disk image for the store benchmarks:
# a Debian 12 root (debootstrap minbase + real packages, ~1 GiB of files) put into a
# sparse 4 GiB ext4 image with `mkfs.ext4 -d`.
#
#   bash bench/image.sh            build if missing or stale, then print the image's path and stats
#   bash bench/image.sh --rebuild  build again even if a cached image exists
#
# The cache is keyed by RECIPE below: change the package list or the size, bump RECIPE.
# Output: bench/cache/debian-4g.raw (+ debian-4g.recipe holding the recipe it was built from).
set -euo pipefail

RECIPE="debian-bookworm-minbase-v1"
MIRROR="${LIFEBOAT_BENCH_MIRROR:-http://deb.debian.org/debian}"
SIZE="4G"
# Picked so the root holds about 1 GiB of real Debian files (compilers, interpreters, a JRE,
# shared libraries, docs): a mix of ELF code, text and already-compressed data like a real VM.
PACKAGES=(build-essential gdb python3 python3-pip python3-venv perl openjdk-17-jre-headless
          git vim-nox curl openssh-server rsync less man-db locales iproute2 cmake)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/cache"
image="$cache/debian-4g.raw"
stamp="$cache/debian-4g.recipe"

rebuild=0
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "image.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

print_stats() {
  local used apparent
  used=$(du -B1 "$image" | cut -f1)
  apparent=$(stat -c %s "$image")
  echo "image:    $image"
  echo "recipe:   $(cat "$stamp")"
  echo "used:     $used bytes ($(numfmt --to=iec "$used"))   (du: allocated blocks)"
  echo "apparent: $apparent bytes ($(numfmt --to=iec "$apparent"))"
}

if [ "$rebuild" = 0 ] && [ -f "$image" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$RECIPE" ]; then
  print_stats
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "image.sh: must run as root (debootstrap, chroot, mount /proc)" >&2
  exit 1
fi
for cmd in debootstrap mkfs.ext4 chroot; do
  command -v "$cmd" >/dev/null || bash "$here/../scripts/host-setup.sh" --bench
done

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
root="$work/root"
cleanup() {
  # Never leave /proc mounted inside a directory we are about to delete.
  if mountpoint -q "$root/proc" 2>/dev/null; then umount -l "$root/proc" || true; fi
  if mountpoint -q "$root/dev/pts" 2>/dev/null; then umount -l "$root/dev/pts" || true; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

echo "image.sh: debootstrap bookworm (minbase) from $MIRROR ..."
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "image.sh: debootstrap failed (log above)" >&2
  exit 1
}

echo "image.sh: installing ${#PACKAGES[@]} packages in a chroot ..."
# No daemons may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"   # the JRE's and ca-certificates-java's scripts need it
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  LC_ALL=C sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${PACKAGES[*]}" \
  >"$work/apt.log" 2>&1 || {
  tail -n 30 "$work/apt.log" >&2
  echo "image.sh: package install failed (log above)" >&2
  exit 1
}
# .debs are a copy of what is installed; a deployed VM has usually cleaned them.
chroot "$root" apt-get clean
umount "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"

rootbytes=$(du -sb "$root" | cut -f1)
echo "image.sh: root holds $rootbytes bytes ($(numfmt --to=iec "$rootbytes"))"

tmpimg="$work/image.raw"
truncate -s "$SIZE" "$tmpimg"
mkfs.ext4 -q -F -d "$root" "$tmpimg"
mv -f "$tmpimg" "$image"
echo "$RECIPE" >"$stamp"
print_stats
