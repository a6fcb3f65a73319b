# Sourced by scripts/lifeboat, scripts/lifeboat-store and scripts/restore-agent:
#
#   launch MODULE MAIN-CLASS ARGS...
#
# runs MAIN-CLASS of the Maven module MODULE on its class path (MODULE/target/classpath.txt), first
# building MODULE and the Lifeboat modules it depends on when a source or pom of theirs is newer
# than that file. The build is `mvn compile` and quiet: its output goes to
# MODULE/target/launch-build.log and is shown only when it fails, so a first run prints only
# what the command itself prints.

# MODULE's Lifeboat dependencies other than test ones, and theirs (a module's directory is its artifactId).
launch_deps() {
  local top=$1 module=$2 dep
  for dep in $(awk '
      /<dependency>/    { g = ""; a = ""; s = "" }
      /<groupId>/       { sub(/.*<groupId>/, ""); sub(/<\/groupId>.*/, ""); g = $0 }
      /<artifactId>/    { sub(/.*<artifactId>/, ""); sub(/<\/artifactId>.*/, ""); a = $0 }
      /<scope>/         { sub(/.*<scope>/, ""); sub(/<\/scope>.*/, ""); s = $0 }
      /<\/dependency>/  { if (g == "io.lifeboat" && s != "test") print a }' "$top/$module/pom.xml" | sort -u); do
    echo "$dep"
    launch_deps "$top" "$dep"
  done
}

# True when the class path file is missing or older than a source or pom it was built from.
launch_stale() {
  local top=$1 module=$2 cp_file=$3 m
  [ -f "$cp_file" ] || return 0
  local watched=("$top/pom.xml")
  for m in "$module" $(launch_deps "$top" "$module" | sort -u); do
    watched+=("$top/$m/pom.xml" "$top/$m/src/main")
  done
  [ -n "$(find "${watched[@]}" -newer "$cp_file" -print -quit 2>/dev/null)" ]
}

launch() {
  local module=$1 main=$2
  shift 2
  local top name target cp_file log
  top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  name="$(basename "$0")"
  target="$top/$module/target"
  cp_file="$target/classpath.txt"
  log="$target/launch-build.log"
  if launch_stale "$top" "$module" "$cp_file"; then
    command -v mvn >/dev/null || { echo "$name: mvn not found on PATH; $module needs building (apt-get install maven)" >&2; exit 1; }
    mkdir -p "$target"
    # One build at a time (several commands may start at once); the one that waited finds it done.
    exec 9>"$target/.launch.lock"
    flock 9
    if launch_stale "$top" "$module" "$cp_file"; then
      if ! (cd "$top" && mvn -q -B -Dstyle.color=never -pl "$module" -am compile) >"$log" 2>&1; then
        sed 's/\x1b\[[0-9;]*m//g' "$log" >&2   # Maven's colour resets, whatever style.color says
        echo "$name: building $module failed (the output above is in $log)" >&2
        exit 1
      fi
      touch "$cp_file"
    fi
    exec 9>&-
  fi
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  exec java ${JAVA_OPTS:-} -cp "$target/classes:$(cat "$cp_file")" "$main" "$@"
}
