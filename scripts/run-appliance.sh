#!/usr/bin/env bash
# Runs the Lifeboat appliance on this host: prepares libvirtd, builds the jar if needed, starts it.
#
#   sudo scripts/run-appliance.sh [options] [-- appliance arguments]
#
#   --no-setup   skip scripts/host-setup.sh (libvirtd already running; allows running without root)
#   --rebuild    build the jar even if it looks up to date
#   --no-s3      do not start the embedded S3 target (scripts/embedded-s3.sh); replication stays off
#                unless lifeboat.replication.* points elsewhere
#   -h, --help   this text
#
# Environment: LIFEBOAT_HOME (data directory, default ./data in the repository),
# JAVA_OPTS (extra JVM options); sudo drops them unless given on its command line:
#   sudo LIFEBOAT_HOME=/srv/lifeboat scripts/run-appliance.sh
# Arguments after -- go to the appliance, e.g. -- --server.port=9090
set -euo pipefail

die() { echo "run-appliance: $*" >&2; exit 1; }

setup=1 rebuild=0 s3=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-setup) setup=0 ;;
    --rebuild) rebuild=1 ;;
    --no-s3) s3=0 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) echo "run-appliance: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A relative LIFEBOAT_HOME means relative to where the user stands, not to the repository.
case "${LIFEBOAT_HOME:-}" in
  ''|/*) ;;
  *) LIFEBOAT_HOME="$PWD/$LIFEBOAT_HOME" ;;
esac
cd "$repo"

if [ "$setup" = 1 ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root to set up libvirtd: sudo $0 (or pass --no-setup)"
  scripts/host-setup.sh
fi

# sudo's secure_path may hide a JDK or Maven installed outside /usr/bin; say so instead of a bare "not found".
command -v java >/dev/null || die "java not found on PATH; install a JDK 17+ (apt-get install openjdk-17-jdk-headless)"
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || die "java ${java_major:-?} found, Lifeboat needs 17 or newer"

find_jar() {
  local f
  for f in appliance/target/appliance-*.jar; do
    case "$f" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 0 # none yet: an empty answer, not a failure (set -e would end the script here)
}

# Stale: any pom or main source/resource in the repository is newer than the jar.
is_stale() {
  [ -n "$(find . \( -name target -o -name .git -o -path ./data -o -path ./bench \) -prune -o \
            -type f \( -name pom.xml -o -path '*/src/main/*' \) -newer "$1" -print -quit)" ]
}

jar=$(find_jar)
if [ "$rebuild" = 1 ] || [ -z "$jar" ] || is_stale "$jar"; then
  command -v mvn >/dev/null || die "mvn not found on PATH and the appliance jar needs building; install Maven (apt-get install maven)"
  echo "run-appliance: building the appliance jar"
  build=(mvn -q -B -Dstyle.color=never -DskipTests -pl appliance -am package)
  # Under sudo, build as the invoking user so target/ and ~/.m2 do not end up owned by root.
  if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    build=(runuser -u "$SUDO_USER" -- "${build[@]}")
  fi
  "${build[@]}" || die "build failed (see Maven output above)"
  jar=$(find_jar)
  [ -n "$jar" ] || die "build finished but no appliance/target/appliance-*.jar was produced"
fi

export LIFEBOAT_HOME="${LIFEBOAT_HOME:-$repo/data}"
if [ "$s3" = 1 ] && [ -z "${LIFEBOAT_REPLICATION_BUCKET:-}" ]; then
  # The embedded S3 target: replication works out of the box, to this machine.
  settings=$("$repo/scripts/embedded-s3.sh" "$LIFEBOAT_HOME/s3") || die "the embedded S3 target did not start"
  while IFS= read -r kv; do export "${kv?}"; done <<< "$settings"
  echo "run-appliance: embedded S3 target at $LIFEBOAT_REPLICATION_ENDPOINT, bucket $LIFEBOAT_REPLICATION_BUCKET"
fi
echo "run-appliance: starting $jar (LIFEBOAT_HOME=$LIFEBOAT_HOME)"
# JAVA_OPTS is split on spaces on purpose: it holds several JVM options.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
