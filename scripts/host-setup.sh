#!/usr/bin/env bash
# Installs and starts what Lifeboat needs on a Debian 12 host (run as root).
# Idempotent: packages already present are not reinstalled, running daemons are left alone.
#
#   scripts/host-setup.sh            packages for the appliance and the test suite, libvirtd started
#   scripts/host-setup.sh --bench    also the benchmark peers (restic, borg) and debootstrap
set -euo pipefail

want_bench=0
for a in "$@"; do
  case "$a" in
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "host-setup: unknown option $a" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "host-setup: must run as root (it installs Debian packages and starts libvirtd)" >&2
  exit 1
fi

pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt0
      qemu-system-x86 qemu-utils zstd e2fsprogs util-linux procps)
[ "$want_bench" = 1 ] && pkgs+=(restic borgbackup debootstrap hyperfine)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "host-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
echo "host-setup: ready (libvirt $(virsh -c qemu:///system version --daemon 2>/dev/null | awk '/daemon/{print $NF}'))"
