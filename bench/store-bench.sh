#!/usr/bin/env bash
# Benchmarks the Lifeboat chunk store against restic and borg on a real Debian VM disk image,
# all measured in the same run on the same disk, and prints the ratios.
#
#   bash bench/store-bench.sh               compare (Lifeboat, restic, borg) + this machine's limits
#   bash bench/store-bench.sh --peers-only  the same without Lifeboat (restic, borg, limits)
#   bash bench/store-bench.sh --sweep       Lifeboat only, chunk sizes 64K..4M (--chunk-sizes LIST)
#   bash bench/store-bench.sh --big         Lifeboat only: 16 GiB sparse image with JAVA_OPTS=-Xmx256m
#   bash bench/store-bench.sh --limits      only SHA-256 / zstd throughput of this machine
#   bash bench/store-bench.sh --all         compare + limits + sweep + big
# Other options: --repeat N (compare rounds on fresh repos, medians reported; default 3),
#   --keep (leave bench/work/run.* for inspection), --warm (never drop caches),
#   --image FILE (use FILE instead of bench/image.sh's cached image, e.g. a small one to test).
# Environment: LIFEBOAT_CMD overrides the CLI below; JAVA_OPTS reaches the Lifeboat JVM.
# See bench/README.md for what each number means.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

# The Lifeboat CLI under test (contract: `--store DIR [--json] <verb>`; see bench/README.md).
# shellcheck disable=SC2206  # deliberately split so LIFEBOAT_CMD may carry arguments
LIFEBOAT=(${LIFEBOAT_CMD:-$repo/scripts/lifeboat-store})

SWEEP_SIZES="64K,128K,256K,512K,1M,4M"
RESTIC_PASSWORD_VALUE="lifeboat-bench"
VM="bench"

usage() { sed -n '2,17p' "$0"; }

modes=()
peers_only=0
keep=0
force_warm=0
image_override=""
repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --peers-only) peers_only=1; modes+=(compare limits) ;;
    --compare) modes+=(compare) ;;
    --limits) modes+=(limits) ;;
    --sweep) modes+=(sweep) ;;
    --big) modes+=(big) ;;
    --all) modes+=(compare limits sweep big) ;;
    --chunk-sizes) [ $# -ge 2 ] || { echo "store-bench: --chunk-sizes needs a list" >&2; exit 2; }
                   SWEEP_SIZES="$2"; shift ;;
    --image) [ $# -ge 2 ] || { echo "store-bench: --image needs a file" >&2; exit 2; }
             image_override="$2"; shift ;;
    --repeat) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "store-bench: --repeat needs a count" >&2; exit 2; }
              repeat="$2"; shift ;;
    --keep) keep=1 ;;
    --warm) force_warm=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "store-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#modes[@]} -gt 0 ] || modes=(compare limits)
has_mode() { local m; for m in "${modes[@]}"; do [ "$m" = "$1" ] && return 0; done; return 1; }

die() { echo "store-bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight

[ "$(id -u)" -eq 0 ] || die "must run as root (builds the image with debootstrap, drops page caches)"

need=(restic borg zstd debootstrap python3 java mvn numfmt /usr/bin/time)
for c in "${need[@]}"; do
  if ! command -v "$c" >/dev/null; then
    echo "store-bench: $c missing, running scripts/host-setup.sh --bench"
    bash "$repo/scripts/host-setup.sh" --bench
    break
  fi
done
for c in "${need[@]}"; do command -v "$c" >/dev/null || die "$c is still missing after host-setup"; done

uses_lifeboat=0
if { has_mode compare && [ "$peers_only" = 0 ]; } || has_mode sweep || has_mode big; then
  uses_lifeboat=1
  if [ ! -x "${LIFEBOAT[0]}" ] && ! command -v "${LIFEBOAT[0]}" >/dev/null; then
    die "the Lifeboat CLI ${LIFEBOAT[0]} is missing or not executable.
  It is the contract 'scripts/lifeboat-store --store DIR [--json] <verb>'. Until it exists,
  run 'bash bench/store-bench.sh --peers-only' to measure restic, borg and the limits alone,
  or point LIFEBOAT_CMD at another build of the CLI."
  fi
fi

# Page cache: dropped before every timed step when the kernel lets us (prepare_cache, cache_mode).
. "$here/page-cache.sh"

mkdir -p "$here/work"
run="$(mktemp -d "$here/work/run.XXXXXX")"
cleanup() {
  local rc=$?
  if [ "$keep" = 1 ]; then
    echo "store-bench: kept $run"
  else
    rm -rf --one-file-system "$run"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$run/logs"

avail=$(df -B1 --output=avail "$run" | tail -n 1)
[ "$avail" -gt $((24 << 30)) ] || echo "store-bench: warning: only $(numfmt --to=iec "$avail") free under $run (want 24G)"

if [ -n "$image_override" ]; then
  [ -f "$image_override" ] || die "--image $image_override: no such file"
  image="$(realpath "$image_override")"
  echo "image:    $image (--image)" >"$run/logs/image.txt"
  echo "used:     $(du -B1 "$image" | cut -f1) bytes   apparent: $(stat -c %s "$image") bytes" >>"$run/logs/image.txt"
else
  image="$(bash "$here/image.sh" | tee "$run/logs/image.txt" | awk '/^image:/{print $2}')"
  [ -f "$image" ] || die "bench/image.sh did not produce an image"
fi

echo "== store-bench $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname): $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   modes: ${modes[*]}; page cache: $cache_mode$([ "$cache_mode" = drop ] && echo ' (sync; echo 3 > drop_caches before each timed step)' || echo ' (inputs read once before each timed step)')"
sed 's/^/   /' "$run/logs/image.txt"
echo "   restic $(restic version | awk '{print $2}'), $(borg --version), zstd $(zstd --version | grep -o 'v[0-9.]*'), $(java -version 2>&1 | head -n 1)"
if [ "$uses_lifeboat" = 1 ]; then
  echo "   Lifeboat CLI: ${LIFEBOAT[*]}   JAVA_OPTS=${JAVA_OPTS:-}"
  # Untimed: scripts/lifeboat-store compiles the store when its sources changed; do it now,
  # not inside the first timed backup.
  "${LIFEBOAT[@]}" --help >"$run/logs/cli-warmup.txt" 2>&1 \
    || { tail -n 20 "$run/logs/cli-warmup.txt" >&2; die "'${LIFEBOAT[*]} --help' failed (does it build?)"; }
fi

# ---------------------------------------------------------------- helpers

# timed NAME CMD...: runs CMD, then sync (so what it wrote is durable and counted), into
# logs/NAME.{out,err}; sets SECS (wall seconds incl. the sync) and RSS_KIB (peak RSS of the
# largest process CMD started). Exits with the log tail when CMD fails.
timed() {
  local name="$1"; shift
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$run/logs/$name.rss" -- "$@" >"$run/logs/$name.out" 2>"$run/logs/$name.err" || rc=$?
  sync
  t1=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    echo "store-bench: step '$name' failed (exit $rc): $*" >&2
    tail -n 20 "$run/logs/$name.out" "$run/logs/$name.err" >&2
    exit 1
  fi
  SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  RSS_KIB=$(tail -n 1 "$run/logs/$name.rss")
}

bytes_of() { du -sb "$1" | cut -f1; }
human() { numfmt --to=iec-i --suffix=B "$1"; }

# cli_json FILE id|chunks: from the JSON the CLI printed (the whole output, or its JSON lines):
#   id      the "id" of the last object that has one (fails if none)
#   chunks  every numeric field whose name mentions chunks, as key=value ("-" if none)
cli_json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    objs = [json.loads(text)]
except ValueError:
    objs = []
    for line in text.splitlines():
        try:
            objs.append(json.loads(line))
        except ValueError:
            pass
def numbers(o, prefix=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from numbers(v, f"{prefix}{k}.")
    elif isinstance(o, (int, float)) and not isinstance(o, bool):
        yield prefix[:-1], o
if sys.argv[2] == "id":
    ids = [o["id"] for o in objs if isinstance(o, dict) and "id" in o]
    if not ids:
        sys.exit('no JSON object with an "id" in ' + sys.argv[1])
    print(ids[-1])
else:
    found = [f"{k}={v}" for o in objs for k, v in numbers(o) if "chunk" in k.lower()]
    print(" ".join(found) if found else "-")
PY
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

to_bytes() { numfmt --from=iec "$1"; }

# ---------------------------------------------------------------- the three tools
# Each tool gets: <tool>_init REPO, <tool>_backup REPO IMAGE TAG (sets LAST_ID), <tool>_restore REPO DIR
# (writes the last backup's image somewhere under DIR). Timing and sizes are measured around them.

lifeboat_init() { # REPO [init options]
  local r="$1"; shift
  "${LIFEBOAT[@]}" --store "$r" init "$@" >"$run/logs/init-$(basename "$r").txt" 2>&1 \
    || { cat "$run/logs/init-$(basename "$r").txt" >&2; die "lifeboat init failed"; }
}

# peer_cmd TOOL REPO [DIR]: sets CMD to the peer's command line (env + binary), run in DIR.
# An array rather than a function so /usr/bin/time can exec it.
peer_cmd() {
  local dir="${3:-$run}"
  case "$1" in
    restic) CMD=(env -C "$dir" RESTIC_REPOSITORY="$2" RESTIC_PASSWORD="$RESTIC_PASSWORD_VALUE"
                 RESTIC_CACHE_DIR="$run/restic-cache" restic) ;;
    borg) CMD=(env -C "$dir" BORG_REPO="$2" BORG_BASE_DIR="$run/borg-home"
               BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes borg) ;;
  esac
}

tool_init() { # TOOL REPO
  local log="$run/logs/init-$1.txt"
  case "$1" in
    lifeboat) lifeboat_init "$2"; return ;;
    restic) peer_cmd restic "$2"; "${CMD[@]}" init --repository-version 2 >"$log" 2>&1 ;;
    borg) peer_cmd borg "$2"; "${CMD[@]}" init -e none >"$log" 2>&1 ;;
  esac || { cat "$log" >&2; die "$1 init failed"; }
}

# tool_backup TOOL REPO IMAGE STEPNAME: timed; sets SECS, RSS_KIB and LAST_ID (what restore takes).
tool_backup() {
  local tool="$1" r="$2" img="$3" step="$4" dir base
  dir="$(dirname "$img")"; base="$(basename "$img")"
  prepare_cache "$img" "$r"
  case "$tool" in
    lifeboat)
      timed "$step" "${LIFEBOAT[@]}" --store "$r" --json backup --vm "$VM" "$img"
      LAST_ID="$(cli_json "$run/logs/$step.out" id)" || die "lifeboat backup printed no id (see $run/logs/$step.out)" ;;
    restic)
      peer_cmd restic "$r" "$dir"
      timed "$step" "${CMD[@]}" backup --compression auto --host "$VM" "$base"
      LAST_ID=latest ;;
    borg)
      peer_cmd borg "$r" "$dir"
      timed "$step" "${CMD[@]}" create --compression zstd,3 "::$step" "$base"
      LAST_ID="$step" ;;
  esac
}

# tool_restore TOOL REPO ID TARGETDIR STEPNAME: timed; sets SECS, RSS_KIB, RESTORED (the file).
tool_restore() {
  local tool="$1" r="$2" id="$3" target="$4" step="$5"
  mkdir -p "$target"
  prepare_cache "$r"
  case "$tool" in
    lifeboat)
      timed "$step" "${LIFEBOAT[@]}" --store "$r" restore "$id" "$target/disk.raw" ;;
    restic)  # 0.14 has no sparse restore: it writes every zero
      peer_cmd restic "$r"
      timed "$step" "${CMD[@]}" restore "$id" --target "$target" ;;
    borg)    # --sparse: holes, like Lifeboat's restore
      peer_cmd borg "$r" "$target"
      timed "$step" "${CMD[@]}" extract --sparse "::$id" ;;
  esac
  RESTORED="$(find "$target" -type f -name 'disk.raw' | head -n 1)"
  [ -n "$RESTORED" ] || die "$tool restore produced no disk.raw under $target"
}

# ---------------------------------------------------------------- table printing

ratio() { # A B -> A/B with 2 decimals, or "-"
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] && awk -v b="$2" 'BEGIN{exit !(b>0)}'; then
    awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'
  else
    echo "-"
  fi
}

declare -A R   # R[tool.metric]

print_compare_table() {
  local tools=(lifeboat restic borg) rows=(full_s stored_b second_s added_b restore_s full_rss_mib restore_sha)
  declare -A label=(
    [full_s]="full backup [s]" [stored_b]="stored after full [bytes]" [second_s]="2nd backup, 1% rewritten [s]"
    [added_b]="added by 2nd backup [bytes]" [restore_s]="restore of 2nd point [s]"
    [full_rss_mib]="peak RSS, full backup [MiB]" [restore_sha]="restored sha256 = image")
  echo
  printf '%-30s %15s %15s %15s %10s %10s %12s\n' "" Lifeboat restic borg restic/LB borg/LB borg/restic
  local row t
  for row in "${rows[@]}"; do
    printf '%-30s' "${label[$row]}"
    for t in "${tools[@]}"; do printf ' %15s' "${R[$t.$row]:--}"; done
    if [ "$row" = restore_sha ]; then echo; continue; fi
    printf ' %10s %10s %12s\n' "$(ratio "${R[restic.$row]:-}" "${R[lifeboat.$row]:-}")" \
      "$(ratio "${R[borg.$row]:-}" "${R[lifeboat.$row]:-}")" "$(ratio "${R[borg.$row]:-}" "${R[restic.$row]:-}")"
  done
  echo
  echo "stored size  Lifeboat/restic = $(ratio "${R[lifeboat.stored_b]:-}" "${R[restic.stored_b]:-}")   Lifeboat/borg = $(ratio "${R[lifeboat.stored_b]:-}" "${R[borg.stored_b]:-}")"
  echo "added bytes  Lifeboat/restic = $(ratio "${R[lifeboat.added_b]:-}" "${R[restic.added_b]:-}")   Lifeboat/borg = $(ratio "${R[lifeboat.added_b]:-}" "${R[borg.added_b]:-}")"
  for t in "${tools[@]}"; do
    [ -n "${R[$t.stored_b]:-}" ] || continue
    printf '%-8s stored %s, added %s, restored file occupies %s\n' "$t" "$(human "${R[$t.stored_b]}")" \
      "$(human "${R[$t.added_b]}")" "$(human "${R[$t.restored_used]}")"
  done
}

# ---------------------------------------------------------------- modes

# compare_round TOOLS...: one full / rewrite / second / restore cycle on fresh repos; fills R.
compare_round() {
  local tools=("$@") t img="$run/img/disk.raw" want_sha
  declare -A id
  mkdir -p "$run/img"
  cp --sparse=always "$image" "$img"
  for t in "${tools[@]}"; do
    tool_init "$t" "$run/repo-$t"
    tool_backup "$t" "$run/repo-$t" "$img" "full-$t"
    R[$t.full_s]=$SECS; R[$t.full_rss_mib]=$((RSS_KIB / 1024))
    R[$t.stored_b]=$(bytes_of "$run/repo-$t")
    echo "   $t full backup: ${SECS}s, stored $(human "${R[$t.stored_b]}")"
  done

  echo "   rewriting 1 % of the image's used space (bench/rewrite.py, fixed seed)"
  python3 "$here/rewrite.py" "$img" >"$run/logs/rewrite.txt"
  sed 's/^/     /' "$run/logs/rewrite.txt" | tr '\n' ' '; echo
  want_sha=$(sha_of "$img")

  for t in "${tools[@]}"; do
    tool_backup "$t" "$run/repo-$t" "$img" "second-$t"
    id[$t]=$LAST_ID
    R[$t.second_s]=$SECS
    R[$t.added_b]=$(( $(bytes_of "$run/repo-$t") - R[$t.stored_b] ))
    echo "   $t 2nd backup: ${SECS}s, added $(human "${R[$t.added_b]}")"
  done

  for t in "${tools[@]}"; do
    tool_restore "$t" "$run/repo-$t" "${id[$t]}" "$run/restore-$t" "restore-$t"
    R[$t.restore_s]=$SECS
    R[$t.restored_used]=$(du -B1 "$RESTORED" | cut -f1)
    if [ "$(sha_of "$RESTORED")" = "$want_sha" ]; then R[$t.restore_sha]=ok; else R[$t.restore_sha]=MISMATCH; fi
    echo "   $t restore: ${SECS}s, sha256 ${R[$t.restore_sha]}"
    rm -rf "$run/restore-$t"
  done
  rm -rf "$run"/repo-* "$img"
}

# median FORMAT < "v1 v2 ...": the median, printed with the printf FORMAT
median() {
  tr ' ' '\n' | grep -v '^$' | sort -g |
    awk -v f="$1" '{v[NR]=$1} END{printf f "\n", (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}
spread() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{print lo "-" hi}'; }

mode_compare() {
  local tools=(restic borg) t k round
  [ "$peers_only" = 1 ] || tools=(lifeboat restic borg)
  declare -A all
  for round in $(seq 1 "$repeat"); do
    echo
    echo "== compare: ${tools[*]} (round $round of $repeat)"
    compare_round "${tools[@]}"
    for k in "${!R[@]}"; do all[$k]+=" ${R[$k]}"; done
  done
  for k in "${!all[@]}"; do
    case "$k" in
      *.restore_sha) [[ "${all[$k]}" == *MISMATCH* ]] && R[$k]=MISMATCH || R[$k]=ok ;;
      *_s) R[$k]=$(median %.2f <<<"${all[$k]}") ;;
      *) R[$k]=$(median %.0f <<<"${all[$k]}") ;;
    esac
  done
  echo
  echo "== compare: median of $repeat round(s)"
  print_compare_table
  if [ "$repeat" -gt 1 ]; then
    echo "spread (min-max) over the rounds:"
    for t in "${tools[@]}"; do
      printf '  %-8s full %ss  2nd %ss  restore %ss  stored %s  added %s\n' "$t" \
        "$(spread <<<"${all[$t.full_s]}")" "$(spread <<<"${all[$t.second_s]}")" "$(spread <<<"${all[$t.restore_s]}")" \
        "$(spread <<<"${all[$t.stored_b]}")" "$(spread <<<"${all[$t.added_b]}")"
    done
  fi
  for t in "${tools[@]}"; do
    [ "${R[$t.restore_sha]}" = ok ] || die "$t restored an image that differs from the backed-up one"
  done
}

mode_limits() {
  echo
  echo "== limits of this machine (CPU-bound: inputs are in memory / page cache)"
  if ! (cd "$repo" && mvn -q -B -pl dedup-store -am compile) >"$run/logs/mvn.txt" 2>&1; then
    tail -n 20 "$run/logs/mvn.txt" >&2
    die "'mvn -q -B -pl dedup-store -am compile' failed; Limits.java needs dedup-store/target/classpath.txt"
  fi
  local sample="$run/sample.bin" n
  n=$(python3 "$here/extents.py" sample "$image" "$sample")
  echo "   sample: $(human "$n") of the image's non-zero 1 MiB slots (the same bytes Limits.java reads)"
  # -Xmx: Limits keeps the sample and its compressed frames in memory.
  # The store's default level (StoreConfig.DEFAULT_ZSTD_LEVEL), for the JDK/zstd-jni limits and the CLI alike.
  local level=1
  java -Xmx4g -cp "$(cat "$repo/dedup-store/target/classpath.txt")" "$here/Limits.java" "$image" --level "$level" \
    | tee "$run/logs/limits.txt" | sed 's/^/   /'
  local threads secs size
  cat "$sample" >/dev/null
  for threads in 1 0; do
    local t0 t1
    t0=$(date +%s.%N)
    size=$(zstd -"$level" -T"$threads" -q -c "$sample" | wc -c)
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
    printf '   zstd_cli_-%s_-T%s_mib_s=%.1f  (ratio %.3f, %s)\n' "$level" "$threads" \
      "$(awk -v n="$n" -v s="$secs" 'BEGIN{print n/s/1048576}')" "$(awk -v n="$n" -v c="$size" 'BEGIN{print n/c}')" \
      "$([ "$threads" = 0 ] && echo "all $(nproc) cores" || echo "one core")"
  done
  rm -f "$sample"
}

mode_sweep() {
  echo
  echo "== chunk-size sweep (Lifeboat): full backup, then the same 1 % rewrite as compare"
  local img="$run/img/sweep.raw" cs bytes r manifests
  mkdir -p "$run/img"
  printf '%-8s %10s %16s %16s %10s %14s %12s  %s\n' chunk "full [s]" "stored [bytes]" "added [bytes]" \
    "2nd [s]" "manifest [B]" "distinct" "store's chunk counters (full | 2nd)"
  for cs in ${SWEEP_SIZES//,/ }; do
    bytes=$(to_bytes "$cs")
    r="$run/repo-sweep-$cs"
    cp --sparse=always "$image" "$img"
    lifeboat_init "$r" --chunk-size "$bytes"
    tool_backup lifeboat "$r" "$img" "sweep-full-$cs"
    local full_s=$SECS stored full_fields
    full_fields=$(cli_json "$run/logs/sweep-full-$cs.out" chunks)
    stored=$(bytes_of "$r")
    # Manifest of the full backup: the store keeps them as manifests/<vm>/<time>.manifest.
    manifests=$(find "$r" -type f -name '*.manifest' -printf '%s\n' | awk '{s+=$1} END{print s+0}')
    local distinct
    distinct=$(python3 "$here/extents.py" chunks "$img" --chunk-size "$bytes" | sed 's/.*distinct=//')
    python3 "$here/rewrite.py" "$img" >/dev/null
    tool_backup lifeboat "$r" "$img" "sweep-second-$cs"
    local second_s=$SECS added
    added=$(( $(bytes_of "$r") - stored ))
    printf '%-8s %10s %16s %16s %10s %14s %12s  %s | %s\n' "$cs" "$full_s" "$stored" "$added" "$second_s" \
      "$manifests" "$distinct" "$full_fields" "$(cli_json "$run/logs/sweep-second-$cs.out" chunks)"
    rm -rf "$r" "$img"
  done
  echo "   distinct = non-zero distinct chunks of the image on that grid (bench/extents.py chunks): what the store should hold"
}

mode_big() {
  echo
  echo "== 16 GiB sparse image, Lifeboat with JAVA_OPTS=-Xmx256m"
  local big="$run/img/big.raw" r="$run/repo-big" off
  mkdir -p "$run/img"
  truncate -s 16G "$big"
  # Copy 1 at 0 and copy 2 at 4 GiB sit on the chunk grid (dedup); copy 3 at 8 GiB + 4 KiB does
  # not (new chunks); 12..16 GiB stays a hole.
  for off in 0 $((4 << 30)) $(((8 << 30) + 4096)); do
    dd if="$image" of="$big" bs=4096 seek=$((off / 4096)) conv=sparse,notrunc status=none iflag=fullblock
  done
  echo "   image: apparent $(human "$(stat -c %s "$big")"), allocated $(human "$(du -B1 "$big" | cut -f1)")"
  local want_sha
  want_sha=$(sha_of "$big")
  lifeboat_init "$r"
  JAVA_OPTS="-Xmx256m" tool_backup lifeboat "$r" "$big" big-backup
  echo "   backup: ${SECS}s, peak RSS $((RSS_KIB / 1024)) MiB, stored $(human "$(bytes_of "$r")"), id $LAST_ID"
  JAVA_OPTS="-Xmx256m" tool_restore lifeboat "$r" "$LAST_ID" "$run/restore-big" big-restore
  local ok=MISMATCH
  [ "$(sha_of "$RESTORED")" = "$want_sha" ] && ok=ok
  echo "   restore: ${SECS}s, peak RSS $((RSS_KIB / 1024)) MiB, restored file occupies $(human "$(du -B1 "$RESTORED" | cut -f1)"), sha256 $ok"
  rm -rf "$r" "$big" "$run/restore-big"
  [ "$ok" = ok ] || die "the 16 GiB restore differs from the image"
  echo "   big: succeeded under -Xmx256m"
}

has_mode compare && mode_compare
has_mode limits && mode_limits
has_mode sweep && mode_sweep
has_mode big && mode_big
echo
echo "store-bench: done (load average now $(cut -d' ' -f1-3 /proc/loadavg): other work on these cores skews times)"
