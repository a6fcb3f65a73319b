# Sourced by the benchmarks: how the page cache is made fair before each timed step.
# Needs $force_warm (1: never drop caches). Sets $cache_mode: drop when the kernel lets us drop
# caches (sync; echo 3 > drop_caches before every timed step), else warm (each step's inputs are
# read once beforehand, so every tool starts warm).
cache_mode=warm
if [ "$force_warm" = 0 ] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  cache_mode=drop
fi

# prepare_cache PATH...: the fairness step before a timed step.
prepare_cache() {
  sync
  if [ "$cache_mode" = drop ]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    local p
    for p in "$@"; do
      if [ -e "$p" ]; then find "$p" -type f -exec cat {} + >/dev/null; fi
    done
  fi
}
