#!/usr/bin/env bash
# File-level restore on this machine: a restore point of one disk (the store benchmark's Debian
# image if bench/cache holds it, else a 1 GiB ext4 disk made by guestfish holding a copy of the
# host's /etc and /usr/share/doc), a session opened on it (bench/FileRestoreBench.java) and timed:
# libguestfs' appliance launch, the first listing (mount + ls), the next ones, one file, a tar.
# Run as root: bash bench/file-restore-bench.sh  (FORCE_TCG=0 uses KVM where it works)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
die() { echo "file-restore-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (libguestfs' appliance)"
command -v guestfish >/dev/null || bash "$repo/scripts/host-setup.sh"

mkdir -p "$here/work"
run="$(mktemp -d "$here/work/files.XXXXXX")"
trap 'rm -rf "$run"' EXIT
echo "== file-restore-bench $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && mvn -q -B -Dstyle.color=never -pl restore-agent -am package -DskipTests) \
  >"$run/mvn.log" 2>&1 || { tail -20 "$run/mvn.log" >&2; die "build failed"; }
cp_="$repo/restore-agent/target/classes:$(cat "$repo/restore-agent/target/classpath.txt")"

export LIBGUESTFS_BACKEND=direct
[ "${FORCE_TCG:-1}" = 0 ] || export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
if [ -f "$here/cache/debian-4g.raw" ]; then
  image="$here/cache/debian-4g.raw"; fs=/dev/sda; first=/etc; next=/usr/bin; file=/etc/os-release; tar=/etc
else
  image="$run/disk.raw"; fs=/dev/sda1; first=/etc; next=/doc; file=/etc/hostname; tar=/etc
  echo "   making $image (1 GiB ext4: the host's /etc and /usr/share/doc)"
  guestfish -N "$image=fs:ext4:1G" -m /dev/sda1 copy-in /etc /usr/share/doc / >/dev/null
fi
echo "   image $image, file system $fs"
java -cp "$cp_" "$here/FileRestoreBench.java" "$image" "$run/store" "$run/files" "$fs" "$first" "$next" "$file" "$tar" \
  | sed 's/^/   /'
