#!/usr/bin/env bash
# Runs Lifeboat's whole test suite on a Debian 12 host, installing and starting what the tests
# need first (libvirtd, QEMU, qemu-utils, PostgreSQL, s3rver, Chromium: see scripts/host-setup.sh). Run as root.
#
#   scripts/test.sh                 all modules, all tests
#   scripts/test.sh -pl dedup-store any extra arguments go to Maven
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

command -v java >/dev/null || { echo "test: java (17) is missing: apt-get install openjdk-17-jdk-headless" >&2; exit 1; }
command -v mvn >/dev/null || { echo "test: maven is missing: apt-get install maven" >&2; exit 1; }

bash "$top/scripts/host-setup.sh" --postgres --test-servers --browser
# The catalog tests against PostgreSQL fail here instead of skipping when the server is missing.
export LIFEBOAT_TEST_PG_REQUIRED=1

# The whole suite's end-to-end tests boot a guest image that takes minutes to build the first time:
# build it, at low priority, while the other modules test. The tests module runs the same script,
# which waits for this build (one build per recipe at a time) or makes it again if it failed.
builder=""
if [ "$#" -eq 0 ]; then
  mkdir -p target
  nice -n 10 bash "$top/scripts/guest-image.sh" > target/guest-image.log 2>&1 &
  builder=$!
fi
rc=0
mvn -B -Dstyle.color=never --fail-at-end verify "$@" || rc=$?
if [ -n "$builder" ] && kill -0 "$builder" 2>/dev/null; then
  kill "$builder" 2>/dev/null || true   # the tests that wanted it did not run; its trap cleans up
  wait "$builder" 2>/dev/null || true
fi
exit "$rc"
