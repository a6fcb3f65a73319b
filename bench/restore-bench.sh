#!/usr/bin/env bash
# Restore and instant recovery, in one run, on this machine's libvirtd + QEMU (TCG):
#   1. instant recovery: seconds from `restore-agent instant` to the VM running, for a 1 GiB and a
#      64 GiB restore point holding the same 256 MiB of data. Two clocks: the agent's own (from the
#      command's start inside the JVM to the domain started) and the wall clock around the whole
#      command until `virsh domstate` says running (JVM start included).
#   2. full restore of the store benchmark's Debian image (4 GiB, 1.09 GB of files) into a raw file:
#      restore-agent vs restic restore from a repository holding the same image, page cache dropped
#      before each.
# Run as root: bash bench/restore-bench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
die() { echo "restore-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (drop_caches, libvirt)"
command -v restic >/dev/null || bash "$repo/scripts/host-setup.sh" --bench
virsh -c qemu:///system version >/dev/null 2>&1 || bash "$repo/scripts/host-setup.sh"
bash "$here/image.sh" >/dev/null
image="$here/cache/debian-4g.raw"
L="$repo/scripts/lifeboat-store"
A="$repo/scripts/restore-agent"

mkdir -p "$here/work"
run="$(mktemp -d "$here/work/restore.XXXXXX")"
agent_pid=""
vms=()
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
  for vm in "${vms[@]}"; do virsh -q destroy "$vm" >/dev/null 2>&1 || true; virsh -q undefine "$vm" >/dev/null 2>&1 || true; done
  wait 2>/dev/null
  rm -rf "$run"
}
trap cleanup EXIT
echo "== restore-bench $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$L" --help >/dev/null
"$A" --help >/dev/null
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# ---------------------------------------------------------------- 1. instant recovery
"$L" --store "$run/store" -q init >/dev/null
head -c $((256 << 20)) /dev/urandom > "$run/data.bin"
cat > "$run/domain.xml" <<'EOF'
<domain type='qemu'><name>bench</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/bench/vda.raw'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>
EOF
declare -A ID AGENT WALL SERVED
for size in 1 64; do
  img="$run/disk-${size}g.raw"
  truncate -s "${size}G" "$img"
  # the same 256 MiB in four runs of 64 MiB, spread over the disk
  for i in 0 1 2 3; do
    dd if="$run/data.bin" of="$img" bs=1M count=64 skip=$((i * 64)) seek=$((i * size * 256)) conv=notrunc status=none
  done
  ID[$size]=$("$L" --store "$run/store" --json backup --vm "bench${size}g" --domain-xml "$run/domain.xml" "$img" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  rm -f "$img"
done

for size in 1 64; do
  vm="lbbench-ir-${size}g-$$"
  vms+=("$vm")
  drop
  t0=$(date +%s.%N)
  "$A" --store "$run/store" --json instant "${ID[$size]}" --name "$vm" --dir "$run/images" --work "$run/ir$size" \
    --no-copy > "$run/instant-$size.json" 2> "$run/instant-$size.err" &
  agent_pid=$!
  until [ "$(virsh domstate "$vm" 2>/dev/null)" = "running" ]; do
    kill -0 "$agent_pid" 2>/dev/null || { cat "$run/instant-$size.err" >&2; die "instant recovery of ${size} GiB failed"; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  WALL[$size]=$(secs "$t0" "$t1")
  until [ -s "$run/instant-$size.json" ]; do sleep 0.02; done
  AGENT[$size]=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["runningAfterSeconds"])' "$run/instant-$size.json")
  SERVED[$size]=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["servedBytesWhenRunning"])' "$run/instant-$size.json")
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
  virsh -q destroy "$vm" >/dev/null; virsh -q undefine "$vm" >/dev/null
done

# ---------------------------------------------------------------- 2. full restore vs restic
echo "   full restore of $(basename "$image") ($(du -h --apparent-size "$image" | cut -f1), $(du -h "$image" | cut -f1) allocated)"
"$L" --store "$run/full" -q init >/dev/null
rp=$("$L" --store "$run/full" --json backup --vm debian "$image" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export RESTIC_PASSWORD=lifeboat-bench RESTIC_CACHE_DIR="$run/restic-cache"
restic -q -r "$run/restic" init --repository-version 2 >/dev/null
(cd "$(dirname "$image")" && restic -q -r "$run/restic" backup --compression auto --host bench "$(basename "$image")" >/dev/null)

mkdir -p "$run/lb-restore"
drop
t0=$(date +%s.%N)
"$A" --store "$run/full" -q restore "$rp" --disk vda --format raw --dir "$run/lb-restore" --name debian >/dev/null
sync
t1=$(date +%s.%N)
lb_restore=$(secs "$t0" "$t1")
lb_file=$(find "$run/lb-restore" -type f | head -n 1)

drop
t0=$(date +%s.%N)
restic -q -r "$run/restic" restore latest --target "$run/restic-restore" >/dev/null   # 0.14: no sparse restore
sync
t1=$(date +%s.%N)
restic_restore=$(secs "$t0" "$t1")
restic_file=$(find "$run/restic-restore" -type f | head -n 1)
cmp -s "$lb_file" "$image" || die "Lifeboat's restore differs from the image"
cmp -s "$restic_file" "$image" || die "restic's restore differs from the image"

logical=$(stat -c %s "$image")
allocated=$(( $(stat -c %b "$image") * 512 ))
echo
printf '%-48s %10s %10s %10s\n' "instant recovery, to running [s]" "1 GiB" "64 GiB" "64G/1G"
printf '%-48s %10s %10s %10.2f\n' "  measured by the agent" "${AGENT[1]}" "${AGENT[64]}" "$(awk -v a="${AGENT[64]}" -v b="${AGENT[1]}" 'BEGIN{print a/b}')"
printf '%-48s %10s %10s %10.2f\n' "  wall clock, JVM start included" "${WALL[1]}" "${WALL[64]}" "$(awk -v a="${WALL[64]}" -v b="${WALL[1]}" 'BEGIN{print a/b}')"
printf '%-48s %10s %10s\n' "  bytes served until running" "${SERVED[1]:-?}" "${SERVED[64]:-?}"
echo
printf '%-48s %10s %10s %10s\n' "full restore (raw, sparse for Lifeboat)" Lifeboat restic "restic/LB"
printf '%-48s %10s %10s %10.2f\n' "  seconds" "$lb_restore" "$restic_restore" "$(awk -v a="$restic_restore" -v b="$lb_restore" 'BEGIN{print a/b}')"
printf '%-48s %10.0f %10.0f\n' "  MB/s of allocated data" "$(awk -v n="$allocated" -v s="$lb_restore" 'BEGIN{print n/s/1e6}')" \
  "$(awk -v n="$allocated" -v s="$restic_restore" 'BEGIN{print n/s/1e6}')"
printf '%-48s %10.0f %10.0f\n' "  MB/s of the 4 GiB image" "$(awk -v n="$logical" -v s="$lb_restore" 'BEGIN{print n/s/1e6}')" \
  "$(awk -v n="$logical" -v s="$restic_restore" 'BEGIN{print n/s/1e6}')"
