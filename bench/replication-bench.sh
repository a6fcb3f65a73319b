#!/usr/bin/env bash
# Replication to three S3-compatible servers against restic, in one run, on the store benchmark's
# Debian image. Lifeboat backs the image up into one local store (timed once); then, per server:
#   start it on a free loopback port with a fresh data directory and empty buckets; probe it
#   (`test-bucket --json`: the upload settings chosen); time `replicate` of the whole store
#   (first run), a second `replicate` (nothing new: 0 packs) and `verify-bucket`; time restic's
#   backup of the same image straight to another bucket of the same server (repository v2,
#   --compression auto), if restic works with that server; stop the server, remove its data.
# Servers: S3Proxy 4.1.0 (filesystem backend, started by scripts/embedded-s3.sh as for the
#   appliance), Adobe S3Mock 4.11.0 (the exec jar), s3rver 3.7.1 (npm, in /opt/lifeboat-test/s3rver,
#   installed by scripts/host-setup.sh), with the flags dedup-store's tests start them with.
# Each server runs in a network namespace of its own that has only loopback (S3Mock always opens
# a second HTTP port on every address): nothing is reachable from outside the machine.
#
#   bash bench/replication-bench.sh [--servers s3proxy,s3mock,s3rver] [--keep] [--warm] [--image FILE]
#
# --keep leaves bench/work/repl.* (logs, JSON of every step; server data is removed anyway),
# --warm never drops caches, --image FILE backs up FILE instead of bench/image.sh's image (to test
# the harness quickly). JAVA_OPTS reaches the Lifeboat JVM. Run as root. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

S3PROXY_VERSION=4.1.0      # scripts/embedded-s3.sh's
S3MOCK_VERSION=4.11.0      # testkit/pom.xml's
S3RVER_VERSION=3.7.1       # scripts/host-setup.sh's
S3RVER_PREFIX="${LIFEBOAT_S3RVER:-/opt/lifeboat-test/s3rver}"
ALL_SERVERS="s3proxy,s3mock,s3rver"

usage() { sed -n '2,19p' "$0"; }
die() { echo "replication-bench: $*" >&2; exit 1; }

servers="$ALL_SERVERS"
keep=0
force_warm=0
image_override=""
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) [ $# -ge 2 ] || die "--servers needs a list, e.g. $ALL_SERVERS"; servers="$2"; shift ;;
    --keep) keep=1 ;;
    --warm) force_warm=1 ;;
    --image) [ $# -ge 2 ] || die "--image needs a file"; image_override="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "replication-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a server_list <<< "$servers"
for s in "${server_list[@]}"; do
  case "$s" in s3proxy|s3mock|s3rver) ;; *) die "unknown server '$s' (known: $ALL_SERVERS)" ;; esac
done

# ---------------------------------------------------------------- preflight

[ "$(id -u)" -eq 0 ] || die "must run as root (drop_caches, network namespaces)"
s3rver_js="$S3RVER_PREFIX/node_modules/s3rver/bin/s3rver.js"
s3rver_installed() {
  [ "$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$S3RVER_PREFIX/node_modules/s3rver/package.json" 2>/dev/null)" = "$S3RVER_VERSION" ]
}
need=(restic python3 java mvn curl node unshare nsenter ip)
for c in "${need[@]}"; do
  if ! command -v "$c" >/dev/null || ! s3rver_installed; then
    echo "replication-bench: $c or s3rver $S3RVER_VERSION missing, running scripts/host-setup.sh --bench"
    bash "$repo/scripts/host-setup.sh" --bench
    break
  fi
done
for c in "${need[@]}"; do command -v "$c" >/dev/null || die "$c is still missing after host-setup"; done
s3rver_installed || die "s3rver $S3RVER_VERSION is not in $S3RVER_PREFIX after host-setup"

# Page cache: dropped before every timed step when the kernel lets us (prepare_cache, cache_mode).
. "$here/page-cache.sh"

# A network namespace per server, holding only loopback. Without one (a container that may not
# create them), the servers listen on 127.0.0.1 of the host, but S3Mock's second port on all addresses.
use_netns=1
unshare --net true 2>/dev/null || use_netns=0

mkdir -p "$here/work" "$here/cache"
run="$(mktemp -d "$here/work/repl.XXXXXX")"
logs="$run/logs"
mkdir -p "$logs"

# Every process the bench starts (servers, namespace holders), stopped at exit whatever happens.
started=()
alive() {   # PID: running (a zombie child is not)
  local st
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
stop_pid() {
  local p="$1" i
  [ -n "$p" ] || return 0
  if alive "$p"; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$p" || break; sleep 0.1; done
    alive "$p" && kill -9 "$p" 2>/dev/null
  fi
  wait "$p" 2>/dev/null || true
}
stop_all() {
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop_pid "${started[$i]}"; done
  started=()
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [ "$keep" = 1 ]; then
    find "$run" -mindepth 2 -maxdepth 2 -name data -type d -exec rm -rf --one-file-system {} + 2>/dev/null || true
    echo "replication-bench: kept $run"
  else
    rm -rf --one-file-system "$run"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$image_override" ]; then
  [ -f "$image_override" ] || die "--image $image_override: no such file"
  echo "image:    $(realpath "$image_override") (--image)" > "$logs/image.txt"
  echo "used:     $(du -B1 "$image_override" | cut -f1) bytes   apparent: $(stat -c %s "$image_override") bytes" >> "$logs/image.txt"
else
  bash "$here/image.sh" > "$logs/image.txt" || die "bench/image.sh failed"
fi
image="$(awk '/^image:/{print $2}' "$logs/image.txt")"
[ -f "$image" ] || die "bench/image.sh did not produce an image"

# The server jars, fetched once into bench/cache (git-ignored) from the local Maven repository or
# Maven Central: the servers' namespaces have no network.
fetch_jar() {   # ARTIFACT FILE
  [ -s "$here/cache/$2" ] && return 0
  (cd "$repo" && mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$here/cache") \
    >>"$logs/mvn.log" 2>&1 || { tail -20 "$logs/mvn.log" >&2; die "could not fetch $1"; }
  [ -s "$here/cache/$2" ] || die "mvn dependency:copy of $1 did not produce bench/cache/$2"
}
s3proxy_jar="s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
s3mock_jar="s3mock-$S3MOCK_VERSION-exec.jar"
fetch_jar "org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" "$s3proxy_jar"
fetch_jar "com.adobe.testing:s3mock:$S3MOCK_VERSION:jar:exec" "$s3mock_jar"
jar_version() {   # JAR GROUP ARTIFACT
  python3 - "$@" <<'PY'
import sys, zipfile
jar, group, artifact = sys.argv[1:]
props = zipfile.ZipFile(jar).read(f"META-INF/maven/{group}/{artifact}/pom.properties").decode()
print(next(l.split("=", 1)[1] for l in props.splitlines() if l.startswith("version=")))
PY
}

# The store CLI, built now and copied: the whole run uses the same classes even if someone edits
# (and scripts/lifeboat-store would rebuild) the sources meanwhile.
(cd "$repo" && mvn -q -B -Dstyle.color=never -pl dedup-store -am compile) >>"$logs/mvn.log" 2>&1 \
  || { tail -20 "$logs/mvn.log" >&2; die "build failed"; }
mkdir -p "$run/cli"
cp -a "$repo/dedup-store/target/classes" "$run/cli/classes"
cli_cp="$run/cli/classes"
n=0
while IFS= read -r -d: entry || [ -n "$entry" ]; do
  entry="${entry%$'\n'}"
  [ -n "$entry" ] || continue
  if [ -d "$entry" ]; then n=$((n + 1)); cp -a "$entry" "$run/cli/cp$n"; entry="$run/cli/cp$n"; fi
  cli_cp="$cli_cp:$entry"
done < "$repo/dedup-store/target/classpath.txt"
NS=()   # the current server's namespace: prefix for every client command
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
lb() { "${NS[@]}" java ${JAVA_OPTS:-} -cp "$cli_cp" io.lifeboat.store.cli.StoreCli "$@"; }
lb --help > "$logs/cli-help.txt" 2>&1 || { cat "$logs/cli-help.txt" >&2; die "the store CLI does not start"; }

secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
now() { date +%s.%N; }
jget() {   # FILE EXPR (python, on r = the file's JSON)
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else printf "-" }'; }
mbs() { awk -v n="$1" -v s="$2" 'BEGIN{ if (n+0 > 0 && s+0 > 0) printf "%.0f", n/s/1e6; else printf "-" }'; }
free_port() { "${NS[@]}" python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {   # PORT PID NAME LOG
  local i
  for i in $(seq 1 240); do
    "${NS[@]}" curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    alive "$2" || { tail -20 "$4" >&2; echo "replication-bench: $3 exited before answering" >&2; return 1; }
    sleep 0.5
  done
  tail -20 "$4" >&2; echo "replication-bench: $3 did not answer on port $1 within 2 minutes" >&2; return 1
}

commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
git -C "$repo" diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
echo "== replication-bench $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname): $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   servers: ${server_list[*]}; page cache: $cache_mode$([ "$cache_mode" = drop ] && echo ' (sync; echo 3 > drop_caches before each timed step)' || echo ' (inputs read once before each timed step)')"
echo "   network: $([ "$use_netns" = 1 ] && echo 'each server in its own network namespace (loopback only), clients entered into it' || echo 'host loopback (no network namespaces here; S3Mock also listens on a random port on all addresses)')"
sed 's/^/   /' "$logs/image.txt"
echo "   Lifeboat $commit, $(java -version 2>&1 | head -n 1), JAVA_OPTS=${JAVA_OPTS:-}; restic $(restic version | awk '{print $2}'); node $(node --version)"

# ---------------------------------------------------------------- the local store (once)

echo "   Lifeboat: local backup of the image"
lb --store "$run/store" -q init >/dev/null
prepare_cache "$image"
t0=$(now)
lb --store "$run/store" --json backup --vm bench "$image" > "$logs/backup.json" 2> "$logs/backup.err" \
  || { cat "$logs/backup.err" >&2; die "local backup failed"; }
sync
t1=$(now)
lb_backup=$(secs "$t0" "$t1")
store_bytes=$(du -sb "$run/store" | cut -f1)
pack_bytes=$(find "$run/store" -name '*.pack' -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')
pack_count=$(find "$run/store" -name '*.pack' -type f | wc -l)
logical=$(stat -c %s "$image")
echo "   local backup: $lb_backup s; store $store_bytes bytes, $pack_count packs ($pack_bytes bytes)"

# ---------------------------------------------------------------- servers

# start_<server> DIR PORT: starts it inside NS, data under DIR/data, buckets lifeboat and restic.
# Sets srv_pid, srv_name, srv_version, srv_key, srv_secret, srv_log, and bucket_dir (a bucket's
# directory in the server's data: bucket_dir lifeboat).
start_s3proxy() {
  local dir="$1" port="$2" settings
  mkdir -p "$dir/data"
  cp "$here/cache/$s3proxy_jar" "$dir/data/s3proxy.jar"   # so embedded-s3.sh downloads nothing
  settings=$("${NS[@]}" "$repo/scripts/embedded-s3.sh" "$dir/data" "$port" 2> "$logs/s3proxy-start.err") \
    || { [ -f "$dir/data/s3proxy.pid" ] && started+=("$(cat "$dir/data/s3proxy.pid")"); cat "$logs/s3proxy-start.err" >&2; return 1; }
  srv_pid=$(cat "$dir/data/s3proxy.pid"); started+=("$srv_pid")
  srv_name="S3Proxy"; srv_version=$(jar_version "$dir/data/s3proxy.jar" org.gaul s3proxy)
  srv_key=$(sed -n 's/^LIFEBOAT_REPLICATION_ACCESS_KEY=//p' <<< "$settings")
  srv_secret=$(sed -n 's/^LIFEBOAT_REPLICATION_SECRET_KEY=//p' <<< "$settings")
  srv_log="$dir/data/s3proxy.log"
  mkdir -p "$dir/data/objects/restic"   # a bucket of the filesystem backend is a directory
  bucket_dir() { echo "$1/data/objects/$2"; }
}
start_s3mock() {
  local dir="$1" port="$2"
  mkdir -p "$dir/data/store"
  srv_log="$logs/s3mock.log"
  # The flags of testkit's S3MockServer; S3Mock checks no credentials.
  "${NS[@]}" java -Xmx512m -jar "$here/cache/$s3mock_jar" \
    --server.ssl.enabled=false --server.address=127.0.0.1 --server.port="$port" \
    --com.adobe.testing.s3mock.http-port=0 \
    --com.adobe.testing.s3mock.store.root="$dir/data/store" \
    --com.adobe.testing.s3mock.store.initial-buckets=lifeboat,restic > "$srv_log" 2>&1 &
  srv_pid=$!; started+=("$srv_pid")
  srv_name="S3Mock"; srv_version=$(jar_version "$here/cache/$s3mock_jar" com.adobe.testing s3mock)
  srv_key=lifeboat-test; srv_secret=lifeboat-test-secret-0123456789
  wait_http "$port" "$srv_pid" S3Mock "$srv_log" || return 1
  bucket_dir() { echo "$1/data/store/$2"; }
}
start_s3rver() {
  local dir="$1" port="$2"
  mkdir -p "$dir/data"
  srv_log="$logs/s3rver.log"
  # The flags of testkit's S3rverServer: --openssl-legacy-provider, or every truncated
  # ListObjectsV2 is a 500 (its continuation tokens use DES). Key S3RVER, secret not checked.
  "${NS[@]}" node --openssl-legacy-provider "$s3rver_js" --directory "$dir/data" \
    --address 127.0.0.1 --port "$port" --configure-bucket lifeboat --configure-bucket restic > "$srv_log" 2>&1 &
  srv_pid=$!; started+=("$srv_pid")
  srv_name="s3rver"; srv_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$S3RVER_PREFIX/node_modules/s3rver/package.json")
  srv_key=S3RVER; srv_secret=S3RVER
  wait_http "$port" "$srv_pid" s3rver "$srv_log" || return 1
  bucket_dir() { echo "$1/data/$2"; }
}
# object_sizes SERVER DIR: the size of every object's bytes in a bucket directory, one a line
# (each server keeps metadata files beside them, which are not counted).
object_sizes() {
  [ -d "$2" ] || return 0
  case "$1" in
    s3proxy) find "$2" -type f -printf '%s\n' ;;
    s3mock)  find "$2" -mindepth 2 -maxdepth 2 -type f -name binaryData -printf '%s\n' ;;
    s3rver)  find "$2" -type f -name '*._S3rver_object' -printf '%s\n' ;;
  esac
}
sum_lines() { awk '{s+=$1} END{print s+0}'; }

# ns_start DIR: a process holding a new network namespace with loopback up; sets NS.
ns_start() {
  NS=()
  [ "$use_netns" = 1 ] || return 0
  local i
  unshare --net --fork --kill-child sh -c 'ip link set lo up && touch "$0" && exec sleep infinity' "$1/ns.ready" &
  local holder=$!; started+=("$holder")
  for i in $(seq 1 50); do [ -e "$1/ns.ready" ] && break; sleep 0.1; done
  [ -e "$1/ns.ready" ] || die "could not set up a network namespace"
  NS=(nsenter -t "$holder" -n)
}

declare -A R   # results: R[server.key]
failed=0
fail() { R[$1.failed]="${R[$1.failed]:-}${R[$1.failed]:+; }$2"; failed=1; echo "   FAILED ($1): $2"; }

bench_server() {
  local s="$1" dir="$run/$1" port t0 t1 rc b rs_dir lb_dir
  mkdir -p "$dir"
  ns_start "$dir"
  port=$(free_port)
  echo
  echo "== $s: starting on 127.0.0.1:$port"
  if ! "start_$s" "$dir" "$port"; then
    fail "$s" "the server did not start"
    stop_all; NS=(); rm -rf --one-file-system "$dir/data"; return 0
  fi
  R[$s.name]="$srv_name"; R[$s.version]="$srv_version"
  echo "   $srv_name $srv_version, data in $dir/data"
  export LIFEBOAT_S3_SECRET_KEY="$srv_secret"
  b=(--endpoint "http://127.0.0.1:$port" --bucket lifeboat --access-key "$srv_key")

  # 1. what the probe chooses
  t0=$(now)
  if lb --json test-bucket "${b[@]}" > "$logs/$s-probe.json" 2> "$logs/$s-probe.err"; then
    t1=$(now); R[$s.probe_secs]=$(secs "$t0" "$t1")
    R[$s.chosen]=$(jget "$logs/$s-probe.json" '"payload={} sha256-header={} sdk-checksums={}".format(r["chosen"]["payload"].lower(), r["chosen"]["sha256Header"].lower(), "when-supported" if r["chosen"]["sdkChecksums"] else "when-required")')
    R[$s.probe_notes]=$(jget "$logs/$s-probe.json" '"; ".join(["ETags are MD5s" if r["md5Etags"] else "ETags are not MD5s", str(len(r["attempts"])) + " candidate(s) tried"] + ["refused " + a["tried"]["payload"].lower() + "/" + a["tried"]["sha256Header"].lower() + ": " + a["problem"] for a in r["attempts"] if a["problem"]])')
  else
    R[$s.chosen]="probe failed"; fail "$s" "test-bucket: $(tail -n 3 "$logs/$s-probe.err" | tr '\n' ' ')"
  fi

  # 2. the first replicate: the whole store
  prepare_cache "$run/store"
  t0=$(now); rc=0
  lb --store "$run/store" --json replicate "${b[@]}" > "$logs/$s-replicate.json" 2> "$logs/$s-replicate.err" || rc=$?
  t1=$(now)
  R[$s.lb_secs]=$(secs "$t0" "$t1")
  if [ "$rc" = 0 ]; then
    R[$s.lb_objects]=$(jget "$logs/$s-replicate.json" 'str(r["uploadedPacks"]) + " packs + " + str(r["uploadedManifests"]) + " restore point(s), " + str(r["uploadedBytes"]) + " bytes"')
  else
    R[$s.lb_objects]="-"
    fail "$s" "replicate exited $rc: $(tail -n 3 "$logs/$s-replicate.err" | tr '\n' ' ') $(jget "$logs/$s-replicate.json" '"; ".join(map(str, r["failures"][:3]))' 2>/dev/null || true)"
  fi

  # 3. the second replicate: nothing new (it only lists the bucket; caches not dropped, as before)
  t0=$(now); rc=0
  lb --store "$run/store" --json replicate "${b[@]}" > "$logs/$s-replicate2.json" 2> "$logs/$s-replicate2.err" || rc=$?
  t1=$(now)
  R[$s.again_secs]=$(secs "$t0" "$t1")
  if [ "$rc" = 0 ]; then
    R[$s.again_packs]=$(jget "$logs/$s-replicate2.json" 'r["uploadedPacks"]')
    [ "${R[$s.again_packs]}" = 0 ] || fail "$s" "the second replicate uploaded ${R[$s.again_packs]} packs (expected 0)"
  else
    R[$s.again_packs]="-"; fail "$s" "second replicate exited $rc: $(tail -n 3 "$logs/$s-replicate2.err" | tr '\n' ' ')"
  fi

  # 4. verify-bucket: download and check everything
  prepare_cache "$run/store"
  t0=$(now); rc=0
  lb --json verify-bucket "${b[@]}" > "$logs/$s-verify.json" 2> "$logs/$s-verify.err" || rc=$?
  t1=$(now)
  R[$s.verify_secs]=$(secs "$t0" "$t1")
  if [ "$rc" = 0 ]; then
    R[$s.verify_note]=$(jget "$logs/$s-verify.json" '("ok" if r["ok"] else "DAMAGED") + ", " + str(r["packsChecked"]) + " packs, " + str(r["restorePointsChecked"]) + " restore point(s)"')
  else
    R[$s.verify_note]="exit $rc"; fail "$s" "verify-bucket exited $rc: $(tail -n 3 "$logs/$s-verify.err" | tr '\n' ' ')"
  fi
  lb_dir=$(bucket_dir "$dir" lifeboat)
  R[$s.lb_bytes]=$(object_sizes "$s" "$lb_dir" | sum_lines)
  R[$s.lb_count]=$(object_sizes "$s" "$lb_dir" | wc -l)

  # 5. restic straight to the same server (another bucket). s3.region: S3Mock answers
  # GetBucketLocation with "null", which restic would otherwise take as the region.
  export AWS_ACCESS_KEY_ID="$srv_key" AWS_SECRET_ACCESS_KEY="$srv_secret" RESTIC_PASSWORD=lifeboat-bench \
         RESTIC_CACHE_DIR="$dir/restic-cache"
  local r=(restic -o s3.region=us-east-1 -r "s3:http://127.0.0.1:$port/restic")
  R[$s.restic_secs]="failed"
  if "${NS[@]}" "${r[@]}" -q init --repository-version 2 > "$logs/$s-restic-init.txt" 2>&1; then
    prepare_cache "$image"
    t0=$(now); rc=0
    "${NS[@]}" timeout 1800 "${r[@]}" -q backup --compression auto --host bench "$image" > "$logs/$s-restic.txt" 2>&1 || rc=$?
    t1=$(now)
    if [ "$rc" = 0 ] && "${NS[@]}" "${r[@]}" -q check > "$logs/$s-restic-check.txt" 2>&1; then
      R[$s.restic_secs]=$(secs "$t0" "$t1")
    elif [ "$rc" = 0 ]; then
      R[$s.restic_note]="restic backup exited 0 but restic check failed: $(grep -m1 -iE 'fatal|error' "$logs/$s-restic-check.txt" || tail -n1 "$logs/$s-restic-check.txt")"
    else
      R[$s.restic_note]="restic backup exited $rc after $(secs "$t0" "$t1") s: $(grep -m1 -iE 'fatal|error' "$logs/$s-restic.txt" || tail -n1 "$logs/$s-restic.txt")"
    fi
  else
    R[$s.restic_note]="restic init failed: $(grep -m1 -iE 'fatal|error' "$logs/$s-restic-init.txt" || tail -n1 "$logs/$s-restic-init.txt")"
  fi
  rs_dir=$(bucket_dir "$dir" restic)
  R[$s.restic_bytes]=$(object_sizes "$s" "$rs_dir" | sum_lines)
  R[$s.restic_count]=$(object_sizes "$s" "$rs_dir" | wc -l)
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY LIFEBOAT_S3_SECRET_KEY

  # 6. stop the server, remove its data
  [ "$srv_log" = "$logs/${s}.log" ] || cp "$srv_log" "$logs/$s.log" 2>/dev/null || true
  stop_all; NS=()
  rm -rf --one-file-system "$dir/data" "$dir/restic-cache"

  print_server "$s"
}

print_server() {
  local s="$1" rsec="${R[$1.restic_secs]}" lsec="${R[$1.lb_secs]}"
  local lb_total
  lb_total=$(awk -v a="$lb_backup" -v b="$lsec" 'BEGIN{printf "%.2f", a+b}')
  local rnum=0; [ "$rsec" = failed ] || rnum="$rsec"
  echo "   probe chose: ${R[$s.chosen]:-?} (${R[$s.probe_notes]:-}; test-bucket ${R[$s.probe_secs]:-?} s)"
  printf '%-42s %12s %12s %10s\n' "" Lifeboat restic "restic/LB"
  printf '%-42s %12s %12s %10s\n' "to the bucket [s]" "$lsec" "$rsec" "$(ratio "$rnum" "$lsec")"
  printf '%-42s %12s %12s %10s\n' "local backup + replicate [s]" "$lb_total" "$rsec" "$(ratio "$rnum" "$lb_total")"
  local rbytes=0; [ "$rsec" = failed ] || rbytes="${R[$s.restic_bytes]}"
  printf '%-42s %12s %12s %10s\n' "bytes in the bucket" "${R[$s.lb_bytes]}" "${R[$s.restic_bytes]}" "$(ratio "$rbytes" "${R[$s.lb_bytes]}")"
  printf '%-42s %12s %12s\n' "objects in the bucket" "${R[$s.lb_count]}" "${R[$s.restic_count]}"
  printf '%-42s %12s %12s\n' "MB/s sent to the bucket" "$(mbs "${R[$s.lb_bytes]}" "$lsec")" "$(mbs "${R[$s.restic_bytes]}" "$rnum")"
  printf '%-42s %12s %12s\n' "logical MB/s (4 GiB image)" "$(mbs "$logical" "$lsec")" "$(mbs "$logical" "$rnum")"
  printf '%-42s %12s\n' "second replicate, nothing new [s]" "${R[$s.again_secs]}"
  printf '%-42s %12s\n' "verify-bucket [s]" "${R[$s.verify_secs]}"
  echo "   Lifeboat uploaded ${R[$s.lb_objects]}; second replicate: ${R[$s.again_packs]} packs uploaded; verify-bucket: ${R[$s.verify_note]}"
  [ -z "${R[$s.restic_note]:-}" ] || echo "   restic does not work with ${R[$s.name]} ${R[$s.version]}: ${R[$s.restic_note]}"
  [ -z "${R[$s.failed]:-}" ] || echo "   Lifeboat FAILED against ${R[$s.name]}: ${R[$s.failed]}"
}

for s in "${server_list[@]}"; do bench_server "$s"; done

# ---------------------------------------------------------------- summary

echo
echo "== summary: local store $pack_count packs, $pack_bytes bytes of packs; local backup $lb_backup s (once, before the servers); load now $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %-58s %8s %6s %10s %9s %8s %10s\n' server version "probe chose" "LB [s]" "MB/s" "restic [s]" "restic/LB" "2nd [s]" "verify [s]"
for s in "${server_list[@]}"; do
  rsec="${R[$s.restic_secs]:-failed}"; rnum=0; [ "$rsec" = failed ] || rnum="$rsec"
  printf '%-8s %-8s %-58s %8s %6s %10s %9s %8s %10s\n' "${R[$s.name]:-$s}" "${R[$s.version]:-?}" "${R[$s.chosen]:-?}" \
    "${R[$s.lb_secs]:-?}" "$(mbs "${R[$s.lb_bytes]:-0}" "${R[$s.lb_secs]:-0}")" "$rsec" "$(ratio "$rnum" "${R[$s.lb_secs]:-0}")" \
    "${R[$s.again_secs]:-?}" "${R[$s.verify_secs]:-?}"
done
echo "   (\"LB\" is Lifeboat's first replicate of the whole store, its local backup having run before; restic's"
echo "    time includes reading, chunking and compressing the image. MB/s = bytes in the bucket / seconds.)"
[ "$failed" = 0 ] || { echo "replication-bench: Lifeboat failed against at least one server (above)" >&2; exit 1; }
