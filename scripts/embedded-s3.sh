#!/usr/bin/env bash
# Starts the appliance's embedded S3 target: S3Proxy (filesystem backend) on 127.0.0.1, keeping
# its objects under DIR, with credentials generated once and kept in DIR/credentials. Prints the
# settings as environment variables for the appliance (LIFEBOAT_REPLICATION_*), and writes
# S3Proxy's pid to DIR/s3proxy.pid. Idempotent: a running one is reused.
#
#   scripts/embedded-s3.sh DIR [PORT]      PORT defaults to 9000
#
# This is the replication target of a single-box install and of the README's first command; point
# lifeboat.replication.* at AWS S3, MinIO or Ceph RGW for real off-site copies (docs/replication.md).
set -euo pipefail
dir="${1:?usage: scripts/embedded-s3.sh DIR [PORT]}"
port="${2:-9000}"
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$dir/objects/lifeboat"
dir="$(cd "$dir" && pwd)"

jar="$dir/s3proxy.jar"
if [ ! -f "$jar" ]; then
  (cd "$top" && mvn -q -B -Dstyle.color=never dependency:copy \
     -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies -DoutputDirectory="$dir" >&2)
  mv "$dir/s3proxy-4.1.0-jar-with-dependencies.jar" "$jar"
fi
if [ ! -f "$dir/credentials" ]; then
  umask 077
  printf 'access=lifeboat\nsecret=%s\n' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > "$dir/credentials"
fi
access=$(sed -n 's/^access=//p' "$dir/credentials")
secret=$(sed -n 's/^secret=//p' "$dir/credentials")

if ! { [ -f "$dir/s3proxy.pid" ] && kill -0 "$(cat "$dir/s3proxy.pid")" 2>/dev/null; }; then
  cat > "$dir/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.identity=$access
jclouds.credential=$secret
jclouds.filesystem.basedir=$dir/objects
PROPS
  nohup java -Xmx256m -jar "$jar" --properties "$dir/s3proxy.properties" > "$dir/s3proxy.log" 2>&1 &
  echo $! > "$dir/s3proxy.pid"
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    kill -0 "$(cat "$dir/s3proxy.pid")" 2>/dev/null || { echo "embedded-s3: S3Proxy exited: $(tail -3 "$dir/s3proxy.log")" >&2; exit 1; }
    sleep 0.5
  done
  curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "embedded-s3: S3Proxy did not answer on port $port" >&2; exit 1; }
fi
echo "LIFEBOAT_REPLICATION_ENDPOINT=http://127.0.0.1:$port"
echo "LIFEBOAT_REPLICATION_BUCKET=lifeboat"
echo "LIFEBOAT_REPLICATION_ACCESS_KEY=$access"
echo "LIFEBOAT_REPLICATION_SECRET_KEY=$secret"
