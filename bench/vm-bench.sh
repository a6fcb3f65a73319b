#!/usr/bin/env bash
# The changed-block path on a running VM against restic, in one run:
#   1. a TCG VM whose only disk is the store benchmark's Debian image (as qcow2) is backed up in
#      full through libvirt's pull-mode backup (bench/VmBench.java);
#   2. the guest rewrites ~1 % of the used space in random 64 KiB blocks through the QEMU monitor
#      (the same offsets rewrite.py picks, random data);
#   3. Lifeboat's incremental backup reads only the dirty blocks (libvirt's dirty bitmap over NBD);
#   4. restic backs up the original image, then the changed image (exported with qemu-img),
#      and its second backup is what Lifeboat's incremental is compared with.
# Prints times, bytes and ratios. Run as root on Debian 12: bash bench/vm-bench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
die() { echo "vm-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (libvirtd, drop_caches)"

for t in restic qemu-img virsh python3; do command -v "$t" >/dev/null || bash "$repo/scripts/host-setup.sh" --bench; done
bash "$repo/scripts/host-setup.sh" >/dev/null
bash "$here/image.sh" >/dev/null
image="$here/cache/debian-4g.raw"

run="$(mktemp -d "$here/work/vm.XXXXXX")"
trap 'rm -rf "$run"' EXIT
echo "== vm-bench $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && mvn -q -B -Dstyle.color=never -pl appliance -am install -DskipTests \
  && mvn -q -B -Dstyle.color=never -pl appliance dependency:build-classpath -Dmdep.outputFile="$run/cp.txt") \
  >"$run/mvn.log" 2>&1 || { tail -20 "$run/mvn.log" >&2; die "build failed"; }
cp_="$repo/appliance/target/classes:$(cat "$run/cp.txt")"

echo "   converting the image to qcow2 (the VM's disk)"
qemu-img convert -O qcow2 "$image" "$run/disk.qcow2"

# The 1 % rewrite: the offsets rewrite.py picks for the store benchmark, written by the guest
# with fresh random data (one 64 KiB source file per write, for qemu-io's write -s).
python3 "$here/rewrite.py" "$image" --offsets-only > "$run/offsets.txt"
i=0
while read -r off; do
  head -c 65536 /dev/urandom > "$run/w$i.bin"
  echo "$off $run/w$i.bin"
  i=$((i + 1))
done < "$run/offsets.txt" > "$run/writes.txt"
n=$(wc -l < "$run/writes.txt")
echo "   $n guest writes of 64 KiB at the offsets bench/rewrite.py picks (1 % of the used space)"

sync; echo 3 > /proc/sys/vm/drop_caches
java -cp "$cp_" "$here/VmBench.java" "$run/disk.qcow2" "$run/store" "$run/run" "$run/writes.txt" | tee "$run/lifeboat.txt" | sed 's/^/   lifeboat /'
val() { grep "^$1=" "$run/lifeboat.txt" | cut -d= -f2; }

echo "   restic: full backup of the original image, then of the changed image"
export RESTIC_PASSWORD=lifeboat-bench RESTIC_CACHE_DIR="$run/restic-cache"
restic init -q --repository-version 2 -r "$run/restic" >/dev/null
mkdir -p "$run/src"
cp --sparse=always "$image" "$run/src/disk.raw"
sync; echo 3 > /proc/sys/vm/drop_caches
restic -q -r "$run/restic" backup --compression auto --host bench "$run/src/disk.raw" >/dev/null
before=$(du -sb "$run/restic" | cut -f1)
qemu-img convert -U -O raw "$run/disk.qcow2" "$run/src/disk.raw"
sync; echo 3 > /proc/sys/vm/drop_caches
t0=$(date +%s.%N)
restic -q -r "$run/restic" backup --compression auto --host bench "$run/src/disk.raw" >/dev/null
sync
t1=$(date +%s.%N)
after=$(du -sb "$run/restic" | cut -f1)
restic_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
restic_added=$((after - before))

lb_secs=$(val incremental_data_path_seconds)
lb_job=$(val incremental_job_seconds)
lb_added=$(val incremental_added_bytes)
echo
printf '%-44s %12s %12s %10s\n' "" Lifeboat restic "restic/LB"
printf '%-44s %12s %12s %10.1f\n' "incremental data path [s]" "$lb_secs" "$restic_secs" "$(awk -v a="$restic_secs" -v b="$lb_secs" 'BEGIN{print a/b}')"
printf '%-44s %12s %12s %10.1f\n' "incremental job incl. libvirt set-up [s]" "$lb_job" "$restic_secs" "$(awk -v a="$restic_secs" -v b="$lb_job" 'BEGIN{print a/b}')"
printf '%-44s %12s %12s %10.2f\n' "added by the 2nd backup [bytes]" "$lb_added" "$restic_added" "$(awk -v a="$restic_added" -v b="$lb_added" 'BEGIN{print a/b}')"
printf '%-44s %12s %12s\n' "bytes read by the 2nd backup" "$(val incremental_bytes_read)" "$(stat -c %s "$image") (whole file)"
echo "   Lifeboat full backup through libvirt: $(val full_job_seconds) s, read $(val full_bytes_read) bytes"
