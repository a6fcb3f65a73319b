#!/usr/bin/env bash
# Replication to S3 against restic, in one run, on the store benchmark's Debian image:
#   Lifeboat: back up the image into a local store, then `lifeboat-store replicate` to a bucket;
#   restic:   back up the same image straight to a bucket on the same S3Proxy (repository v2,
#             --compression auto).
# Both go to one S3Proxy process on loopback (filesystem backend, on this disk). Prints seconds,
# bytes in the bucket and MB/s of logical data, and the ratios. Run as root: bash bench/replication-bench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
die() { echo "replication-bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (drop_caches)"
command -v restic >/dev/null || bash "$repo/scripts/host-setup.sh" --bench
bash "$here/image.sh" >/dev/null
image="$here/cache/debian-4g.raw"
L="$repo/scripts/lifeboat-store"

run="$(mktemp -d "$here/work/repl.XXXXXX")"
s3pid=""
cleanup() { [ -n "$s3pid" ] && kill "$s3pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT
echo "== replication-bench $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && mvn -q -B -Dstyle.color=never -pl dedup-store -am compile) >"$run/mvn.log" 2>&1 \
  || { tail -20 "$run/mvn.log" >&2; die "build failed"; }
"$L" --help >/dev/null

# The same S3Proxy set-up as the appliance's embedded target, on a free port, with a second
# bucket (a directory of the filesystem backend) for restic.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
settings=$("$repo/scripts/embedded-s3.sh" "$run/s3" "$port") || die "S3Proxy did not start"
s3pid=$(cat "$run/s3/s3proxy.pid")
key=$(sed -n 's/^LIFEBOAT_REPLICATION_ACCESS_KEY=//p' <<< "$settings")
secret=$(sed -n 's/^LIFEBOAT_REPLICATION_SECRET_KEY=//p' <<< "$settings")
mkdir -p "$run/s3/objects/restic"

secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

echo "   Lifeboat: local backup, then replicate"
"$L" --store "$run/store" -q init >/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
t0=$(date +%s.%N)
"$L" --store "$run/store" -q backup --vm bench "$image" >/dev/null
sync
t1=$(date +%s.%N)
lb_backup=$(secs "$t0" "$t1")
sync; echo 3 > /proc/sys/vm/drop_caches
t0=$(date +%s.%N)
"$L" --store "$run/store" --json replicate --endpoint "http://127.0.0.1:$port" --bucket lifeboat \
  --access-key "$key" --secret-key "$secret" > "$run/replicate.json"
t1=$(date +%s.%N)
lb_secs=$(secs "$t0" "$t1")
lb_bytes=$(du -sb "$run/s3/objects/lifeboat" | cut -f1)
t0=$(date +%s.%N)
"$L" --store "$run/store" --json replicate --endpoint "http://127.0.0.1:$port" --bucket lifeboat \
  --access-key "$key" --secret-key "$secret" > "$run/replicate2.json"
t1=$(date +%s.%N)
lb_again=$(secs "$t0" "$t1")

echo "   restic: backup straight to the bucket"
export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" RESTIC_PASSWORD=lifeboat-bench RESTIC_CACHE_DIR="$run/restic-cache"
repo_url="s3:http://127.0.0.1:$port/restic"
restic -q -r "$repo_url" init --repository-version 2 >/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
t0=$(date +%s.%N)
restic -q -r "$repo_url" backup --compression auto --host bench "$image" >/dev/null
t1=$(date +%s.%N)
restic_secs=$(secs "$t0" "$t1")
restic_bytes=$(du -sb "$run/s3/objects/restic" | cut -f1)

logical=$(stat -c %s "$image")
echo
printf '%-42s %12s %12s %10s\n' "" Lifeboat restic "restic/LB"
printf '%-42s %12s %12s %10.2f\n' "to the bucket [s]" "$lb_secs" "$restic_secs" "$(awk -v a="$restic_secs" -v b="$lb_secs" 'BEGIN{print a/b}')"
lb_total=$(awk -v a="$lb_backup" -v b="$lb_secs" 'BEGIN{printf "%.2f", a+b}')
printf '%-42s %12s %12s %10.2f\n' "local backup + replicate [s]" "$lb_total" "$restic_secs" "$(awk -v a="$restic_secs" -v b="$lb_total" 'BEGIN{print a/b}')"
printf '%-42s %12s %12s %10.2f\n' "bytes in the bucket" "$lb_bytes" "$restic_bytes" "$(awk -v a="$restic_bytes" -v b="$lb_bytes" 'BEGIN{print a/b}')"
printf '%-42s %12.0f %12.0f\n' "logical MB/s (4 GiB image)" "$(awk -v n="$logical" -v s="$lb_secs" 'BEGIN{print n/s/1e6}')" \
  "$(awk -v n="$logical" -v s="$restic_secs" 'BEGIN{print n/s/1e6}')"
printf '%-42s %12.0f %12.0f\n' "MB/s sent to the bucket" "$(awk -v n="$lb_bytes" -v s="$lb_secs" 'BEGIN{print n/s/1e6}')" \
  "$(awk -v n="$restic_bytes" -v s="$restic_secs" 'BEGIN{print n/s/1e6}')"
echo "   Lifeboat's second replicate (nothing new): $lb_again s, $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["uploadedPacks"], "packs uploaded")' "$run/replicate2.json")"
echo "   (\"to the bucket\" is Lifeboat's upload alone, its local backup having run before; restic's includes"
echo "    reading, chunking and compressing the image. \"local backup + replicate\" is Lifeboat's whole path.)"
