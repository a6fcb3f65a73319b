#!/usr/bin/env bash
# File-level restore on this machine: a restore point of one disk (the store benchmark's Debian
# image if bench/cache holds it, else a 1 GiB ext4 disk made by guestfish holding a copy of the
# host's /etc and /usr/share/doc), a session opened on it (bench/FileRestoreBench.java) and timed:
# libguestfs' appliance launch, the first listing (mount + ls), the next ones, one file, a tar.
# The peer, in the same run on the made disk's file trees: restic backs up the same /etc and
# /usr/share/doc, then `restic ls` and `restic dump` do the same listings, file and tar; the
# ratios at the end are Lifeboat's time over restic's (below 1: Lifeboat is faster).
# Run as root: bash bench/file-restore-bench.sh  (FORCE_TCG=0 uses KVM where it works)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
die() { echo "file-restore-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (libguestfs' appliance)"
command -v guestfish >/dev/null || bash "$repo/scripts/host-setup.sh"
command -v restic >/dev/null || bash "$repo/scripts/host-setup.sh" --bench

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
  | tee "$run/lifeboat.out" | sed 's/^/   /'

[ "$image" = "$run/disk.raw" ] || { echo "   (no peer: restic needs the disk's file trees, which only the made disk has here)"; exit 0; }
export RESTIC_REPOSITORY="$run/restic" RESTIC_PASSWORD=bench RESTIC_CACHE_DIR="$run/restic-cache"
restic init -q >/dev/null
restic backup -q /etc /usr/share/doc >/dev/null
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
r_first=$(ms restic ls latest /etc)
r_next=$(ms restic ls latest /usr/share/doc)
r_file=$(ms restic dump latest /etc/hostname)
r_tar=$(ms restic dump latest /etc)
echo "   restic $(restic version | awk '{print $2}'): first_listing_ms=$r_first next_listing_ms=$r_next download_ms=$r_file tar_ms=$r_tar"
get() { grep -o "$1=[0-9]*" "$run/lifeboat.out" | head -n1 | cut -d= -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
l_open=$(get open_ms)
echo "   ratio lifeboat/restic: first listing $(ratio "$(get first_listing_ms)" "$r_first")," \
     "next listing $(ratio "$(get next_listing_ms)" "$r_next"), file $(ratio "$(get download_ms)" "$r_file")," \
     "tar $(ratio "$(get tar_ms)" "$r_tar"); time to the first listing $(ratio "$(( l_open + $(get first_listing_ms) ))" "$r_first")" \
     "(Lifeboat's includes its appliance's boot, restic's the index load of each call)"
