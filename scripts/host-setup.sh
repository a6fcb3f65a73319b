#!/usr/bin/env bash
# Installs and starts what Lifeboat needs on a Debian 12 host (run as root).
# Idempotent: packages already present are not reinstalled, running daemons are left alone.
#
#   scripts/host-setup.sh            packages for the appliance and the test suite, libvirtd started
#                                    (libguestfs-tools among them: file-level restore)
#   scripts/host-setup.sh --bench    also the benchmark peers (restic, borg) and debootstrap
#   scripts/host-setup.sh --postgres also PostgreSQL, started, with a role lifeboat/lifeboat
#                                    (LOGIN CREATEDB) for the catalog tests on 127.0.0.1:5432
#   scripts/host-setup.sh --test-servers  also s3rver (npm; Node.js from Debian if missing), the
#                                    replication tests' third S3 server (--bench includes it),
#                                    and unzip, which the file-restore tests unpack zips with
#   scripts/host-setup.sh --browser  also Chromium and ChromeDriver, for the console's browser tests
set -euo pipefail

want_bench=0
want_postgres=0
want_s3rver=0
want_browser=0
for a in "$@"; do
  case "$a" in
    --bench) want_bench=1; want_s3rver=1 ;;
    --test-servers) want_s3rver=1 ;;
    --postgres) want_postgres=1 ;;
    --browser) want_browser=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "host-setup: unknown option $a" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "host-setup: must run as root (it installs Debian packages and starts libvirtd)" >&2
  exit 1
fi

pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt0
      qemu-system-x86 qemu-utils zstd e2fsprogs util-linux procps)
# File-level restore reads guest file systems in libguestfs' appliance (a small VM), never on the
# host kernel. Its recommends are left out like everyone's; what the appliance needs (a kernel,
# supermin) it depends on.
# libguestfs-xfs (a recommends of libguestfs0) lets it read xfs, the root of many RHEL-like guests.
pkgs+=(libguestfs-tools libguestfs-xfs)
# libvirt networks (the isolated network of a runbook's test failover, a recovery site's network)
# need dnsmasq for DHCP and iptables for their firewall rules; libvirtd looks for both when it starts.
pkgs+=(dnsmasq-base iptables)
# unzip: the tests unpack the zip a directory download makes, as a user would.
[ "$want_s3rver" = 1 ] && pkgs+=(unzip)
[ "$want_bench" = 1 ] && pkgs+=(restic borgbackup debootstrap hyperfine)
[ "$want_postgres" = 1 ] && pkgs+=(postgresql)
[ "$want_browser" = 1 ] && pkgs+=(chromium chromium-driver)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "host-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # a libvirtd started before the network tools were there does not see them
  if printf '%s\n' "${missing[@]}" | grep -qx 'dnsmasq-base\|iptables' && pgrep -x libvirtd >/dev/null; then
    echo "host-setup: restarting libvirtd (it started before dnsmasq and iptables were installed)"
    pkill -x libvirtd
    for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
fi

# The replication tests also run against s3rver (a Node fake S3 server), from a fixed prefix
# (testkit's S3rverServer looks there; -Dlifeboat.s3rver or $LIFEBOAT_S3RVER overrides it).
s3rver_version=3.7.1
s3rver_prefix=/opt/lifeboat-test/s3rver
if [ "$want_s3rver" = 1 ] && [ "$(cat "$s3rver_prefix/node_modules/s3rver/package.json" 2>/dev/null \
        | sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p')" != "$s3rver_version" ]; then
  # Debian's nodejs comes without npm, NodeSource's with it (and conflicts with Debian's npm)
  for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
      pkg=$([ "$tool" = node ] && echo nodejs || echo npm)
      echo "host-setup: installing $pkg"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
    fi
  done
  echo "host-setup: installing s3rver@$s3rver_version in $s3rver_prefix"
  mkdir -p "$s3rver_prefix"
  npm install --prefix "$s3rver_prefix" --no-audit --no-fund --save-exact --loglevel=error \
    "s3rver@$s3rver_version" >/dev/null
fi

# libvirtd looks up this user even when qemu.conf says root.
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || \
  useradd -r -g kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

# No KVM, no systemd, no cgroups here: QEMU runs as root under TCG.
conf=/etc/libvirt/qemu.conf
if ! grep -qs '^# lifeboat host-setup' "$conf"; then
  cat >> "$conf" <<'CONF'
# lifeboat host-setup
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
fi
mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/images

pgrep -x virtlogd >/dev/null || virtlogd -d
if ! pgrep -x libvirtd >/dev/null; then
  libvirtd -d
fi
for _ in $(seq 1 50); do
  virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done
virsh -c qemu:///system version >/dev/null 2>&1 || { echo "host-setup: libvirtd did not answer" >&2; exit 1; }
if [ "$want_postgres" = 1 ]; then
  # The package creates a cluster (Debian 12: 15/main); without systemd nothing starts it.
  # pg_ctlcluster, run as root, starts the server as the cluster's owner (postgres).
  read -r pg_ver pg_cluster pg_port pg_status _ < <(pg_lsclusters -h | head -n 1) || true
  if [ -z "${pg_ver:-}" ]; then
    pg_ver="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    pg_cluster=main
    pg_createcluster "$pg_ver" "$pg_cluster" >/dev/null
    pg_status=down
  fi
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  if [ "$pg_status" != online ]; then
    pg_ctlcluster "$pg_ver" "$pg_cluster" start
  fi
  pg_port="$(pg_lsclusters -h | awk -v v="$pg_ver" -v c="$pg_cluster" '$1 == v && $2 == c {print $3}')"
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
    sleep 0.2
  done
  pg_isready -q -h 127.0.0.1 -p "$pg_port" || { echo "host-setup: PostgreSQL did not answer on port $pg_port" >&2; exit 1; }
  as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$pg_port" -tA -c "$1"; }
  if [ "$(as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'lifeboat'")" != 1 ]; then
    as_postgres "CREATE ROLE lifeboat LOGIN CREATEDB PASSWORD 'lifeboat'"
  fi
  echo "host-setup: PostgreSQL $pg_ver/$pg_cluster on 127.0.0.1:$pg_port (role lifeboat)"
fi

echo "host-setup: ready (libvirt $(virsh -c qemu:///system version --daemon 2>/dev/null | awk '/daemon/{print $NF}'))"
