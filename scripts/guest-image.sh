#!/usr/bin/env bash
# Builds, and caches by recipe, a real Debian 12 guest for the end-to-end tests: a direct-kernel-boot
# image (vmlinuz, initrd.img, disk.qcow2 with an ext4 root on /dev/vda) that runs PostgreSQL (database
# "app", table "rows"), a small HTTP service on port 8000 and qemu-guest-agent with an fsfreeze hook
# that CHECKPOINTs PostgreSQL before a freeze. Run as root on a Debian 12 host.
#
# The same system comes in two more disk layouts, for file-level restore (same kernel and initrd):
#   disk-gpt.qcow2  GPT: partition 1 "EFI" (vfat, /boot/efi), partition 2 "root" (ext4);
#                   hostname lifeboat-gpt; boot with root=/dev/vda2
#   disk-lvm.qcow2  MBR: partition 1 an LVM physical volume of volume group "lifeboat", whose
#                   logical volume "root" holds xfs; hostname lifeboat-lvm;
#                   boot with root=/dev/mapper/lifeboat-root
# They are made without loop devices or host mounts: the GPT disk by sgdisk and a partition-sized
# mkfs.ext4 -d copied into place, the LVM one in libguestfs' appliance.
#
#   scripts/guest-image.sh              build unless cached; prints the image directory (last line)
#   scripts/guest-image.sh --print-dir  print the directory it would use, build nothing
#   scripts/guest-image.sh --force      rebuild even if cached
#   scripts/guest-image.sh --probe-kvm  print "kvm" if /dev/kvm really runs a guest, else "tcg"
#                                       (boots the cached kernel for a moment; builds it if missing)
#
# Boot it (TCG works, no KVM needed), on an overlay so the cached disk stays pristine:
#   qemu-system-x86_64 -accel tcg -m 1024 -kernel DIR/vmlinuz -initrd DIR/initrd.img \
#     -append 'root=/dev/vda rw console=ttyS0 net.ifnames=0' -drive file=OVERLAY,if=virtio \
#     -device virtio-serial -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 ...
# Guest: hostname lifeboat-guest, root password "lifeboat", eth0 by DHCP.
#
# Environment: LIFEBOAT_GUEST_CACHE (default /var/cache/lifeboat/guest),
#              LIFEBOAT_DEBIAN_MIRROR (default http://deb.debian.org/debian).
# The cache key is the sha256 of this file plus the package list: any change to the recipe builds
# a new image next to the old ones. A build goes to a temporary directory beside the final one and
# is renamed into place only when complete.
set -euo pipefail

# lvm2: the initrd then activates a root on LVM (the LVM layout boots with the same initrd).
PACKAGES="linux-image-amd64 systemd-sysv dbus qemu-guest-agent udev ifupdown isc-dhcp-client postgresql python3 lvm2"
SUITE=bookworm
DISK_SIZE=6G
LAYOUT_SIZE=6200M   # the GPT and LVM disks: a root of DISK_SIZE and room for the partitions

cache="${LIFEBOAT_GUEST_CACHE:-/var/cache/lifeboat/guest}"
mirror="${LIFEBOAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
self="$(readlink -f "${BASH_SOURCE[0]}")"

log() { echo "guest-image: $*" >&2; }
die() { log "$*"; exit 1; }

mode=build force=0
for a in "$@"; do
  case "$a" in
    --print-dir) mode=print ;;
    --probe-kvm) mode=probe ;;
    --force) force=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option $a (see --help)" ;;
  esac
done

# The recipe is the text the key is hashed from; it is stored beside the image for reference.
recipe="$(printf 'packages: %s\nsuite: %s\n--- %s\n' "$PACKAGES" "$SUITE" "$(basename "$self")"; cat "$self")"
key="$(printf '%s' "$recipe" | sha256sum | cut -c1-16)"
out="$cache/$key"

complete() { # DIR: does it hold a whole image?
  local f
  for f in vmlinuz initrd.img disk.qcow2 disk-gpt.qcow2 disk-lvm.qcow2 recipe; do [ -s "$1/$f" ] || return 1; done
}

# ---------------------------------------------------------------------------------------------
# Build

root="" work=""
mounts=()          # mount points under $root, in mount order, unmounted in reverse by cleanup

chroot_mount() { # ARGS... MOUNTPOINT: mount and remember it for cleanup
  local mp="${*: -1}"
  mkdir -p "$mp"
  mount "$@"
  mounts+=("$mp")
}

unmount_all() {
  local i mp
  # A PostgreSQL left running in the chroot by a failed step keeps /dev and /proc busy.
  if [ -n "$root" ] && compgen -G "$root/run/postgresql/*.pid" >/dev/null; then
    chroot "$root" sh -c 'for c in /etc/postgresql/*/*; do pg_ctlcluster "$(basename "$(dirname "$c")")" "$(basename "$c")" stop -m fast; done' >&2 2>&1 || true
  fi
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    mp="${mounts[i]}"
    umount -R "$mp" 2>/dev/null || umount -R -l "$mp" || log "could not unmount $mp"
  done
  mounts=()
}

still_mounted() { # DIR: is anything mounted at or below DIR?
  awk -v d="$1" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

cleanup() {
  local rc=$?
  unmount_all
  if [ -n "$work" ] && [ -d "$work" ]; then
    # Never delete through a mount that is still there (it could be the host's /dev).
    if still_mounted "$work"; then
      log "left $work in place: something is still mounted below it"
    else
      rm -rf --one-file-system "$work"
    fi
  fi
  exit "$rc"
}

in_chroot() { # COMMAND...: run in the image root with a clean, non-interactive environment
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

configure_root() {
  # Keep package scripts from starting daemons in the chroot; PostgreSQL is started by hand below.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"

  # shellcheck disable=SC2086 # word splitting of the package list is wanted
  in_chroot apt-get install -y --no-install-recommends $PACKAGES

  echo '/dev/vda / ext4 defaults 0 1' > "$root/etc/fstab"
  echo lifeboat-guest > "$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tlifeboat-guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    > "$root/etc/hosts"
  echo 'root:lifeboat' | in_chroot chpasswd
  # allow-hotplug rather than auto: a guest started without a NIC must not wait for DHCP at boot.
  cat > "$root/etc/network/interfaces" <<'EOF'
auto lo
iface lo inet loopback

allow-hotplug eth0
iface eth0 inet dhcp
EOF

  # qemu-guest-agent: Debian's unit has an empty [Install] section (systemctl enable is a no-op);
  # udev starts it when the virtio port org.qemu.guest_agent.0 appears. Make sure the rule is there.
  grep -qs 'org.qemu.guest_agent.0' "$root"/lib/udev/rules.d/*qemu-guest-agent*.rules \
    || die "qemu-guest-agent's udev rule is missing; the agent would never start"
  # The unit runs plain /usr/sbin/qemu-ga and reads no /etc/default file, so a drop-in passes the
  # hook. If a later package starts to read DAEMON_ARGS, set that too rather than guess.
  mkdir -p "$root/etc/systemd/system/qemu-guest-agent.service.d"
  cat > "$root/etc/systemd/system/qemu-guest-agent.service.d/lifeboat.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/usr/sbin/qemu-ga --fsfreeze-hook=/etc/qemu/fsfreeze-hook
EOF
  if grep -qs DAEMON_ARGS "$root"/lib/systemd/system/qemu-guest-agent.service; then
    echo 'DAEMON_ARGS="--fsfreeze-hook=/etc/qemu/fsfreeze-hook"' > "$root/etc/default/qemu-guest-agent"
  fi

  # The fsfreeze hook: runs every executable in fsfreeze-hook.d with "freeze" or "thaw", logging
  # to /var/log/fsfreeze-hook.log. A failing script fails the hook, so qemu-ga reports the freeze
  # as failed instead of snapshotting a database that did not checkpoint.
  mkdir -p "$root/etc/qemu/fsfreeze-hook.d"
  cat > "$root/etc/qemu/fsfreeze-hook" <<'EOF'
#!/bin/sh
# Called by qemu-ga (--fsfreeze-hook) with "freeze" before it freezes the filesystems and with
# "thaw" after it thawed them. Runs each executable in fsfreeze-hook.d with the same argument.
log=/var/log/fsfreeze-hook.log
dir=/etc/qemu/fsfreeze-hook.d
rc=0
[ -d "$dir" ] || exit 0
for f in "$dir"/*; do
  case "$f" in *~|*.bak|*.orig|*.dpkg-*|*.ucf-*) continue ;; esac
  [ -f "$f" ] && [ -x "$f" ] || continue
  echo "$(date -Is) $f $*" >> "$log"
  "$f" "$@" >> "$log" 2>&1 || { s=$?; rc=$s; echo "$(date -Is) $f failed with status $s" >> "$log"; }
done
exit $rc
EOF
  cat > "$root/etc/qemu/fsfreeze-hook.d/postgresql" <<'EOF'
#!/bin/sh
# Flush PostgreSQL to disk before the filesystems are frozen, so a snapshot needs little WAL replay.
case "$1" in
  freeze)
    echo "$(date -Is) postgresql: CHECKPOINT"
    timeout 60 su postgres -c "psql -c CHECKPOINT" ;;
  thaw) echo "$(date -Is) postgresql: thawed" ;;
esac
EOF
  chmod 0755 "$root/etc/qemu/fsfreeze-hook" "$root/etc/qemu/fsfreeze-hook.d/postgresql"

  # The HTTP service.
  mkdir -p "$root/srv/www"
  echo 'lifeboat-guest ok' > "$root/srv/www/index.html"
  cat > "$root/etc/systemd/system/lifeboat-http.service" <<'EOF'
[Unit]
Description=Lifeboat test guest HTTP service
After=network.target

[Service]
ExecStart=/usr/bin/python3 -m http.server 8000 --directory /srv/www
Restart=always

[Install]
WantedBy=multi-user.target
EOF
  in_chroot systemctl enable lifeboat-http.service postgresql.service

  # The database is made at build time, not by a first-boot unit: a first boot under TCG is slow
  # enough already, and a test must find the table at once. /run is a tmpfs here (see build), so
  # the socket and pid file do not end up in the image.
  local ver
  ver="$(in_chroot sh -c 'ls /etc/postgresql' | sort -V | tail -n1)"
  [ -n "$ver" ] || die "no PostgreSQL cluster was created"
  # pg_createcluster picks the first port no running server holds, and the chroot shares the
  # host's network: with a PostgreSQL on the host it would have chosen 5433. Pin 5432 for the guest
  # and start the build-time server on its Unix socket only (/run is the chroot's own tmpfs).
  sed -i 's/^port = .*/port = 5432/' "$root/etc/postgresql/$ver/main/postgresql.conf"
  in_chroot pg_ctlcluster "$ver" main start -- -o "-c listen_addresses="
  in_chroot su postgres -c 'createdb app'
  in_chroot su postgres -c "psql -v ON_ERROR_STOP=1 -d app -c 'CREATE TABLE rows (id bigserial primary key, written_at timestamptz default now(), payload text)'"
  in_chroot pg_ctlcluster "$ver" main stop

  # Each boot of a copy of this disk gets its own machine id.
  : > "$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id" "$root/usr/sbin/policy-rc.d"
  in_chroot apt-get clean
  rm -rf "$root"/var/lib/apt/lists/*
}

rename_host() { # DIR NAME: the system in DIR calls itself NAME
  echo "$2" > "$1/etc/hostname"
  sed -i "s/\blifeboat-guest\b/$2/" "$1/etc/hosts"
}

# GPT: partition 1 "EFI" (64 MiB, formatted vfat in build_lvm's appliance), partition 2 "root",
# an ext4 made from the root tree at the partition's size and copied to the partition's offset.
build_gpt() {
  local disk="$work/disk-gpt.raw" part="$work/gpt-root.raw" start sectors
  rename_host "$root" lifeboat-gpt
  mkdir -p "$root/boot/efi"
  printf 'PARTLABEL=root / ext4 defaults 0 1\nPARTLABEL=EFI /boot/efi vfat umask=0077 0 2\n' > "$root/etc/fstab"
  truncate -s "$LAYOUT_SIZE" "$disk"
  sgdisk -n 1:2048:133119 -t 1:ef00 -c 1:EFI -n 2:133120:0 -t 2:8300 -c 2:root "$disk"
  read -r start sectors < <(sfdisk --dump "$disk" | sed -n 's/^.*2 : start= *\([0-9]*\), size= *\([0-9]*\),.*$/\1 \2/p')
  [ -n "$sectors" ] || die "no partition 2 on $disk"
  truncate -s $((sectors * 512)) "$part"
  mkfs.ext4 -q -F -L lifeboat-root -d "$root" "$part"
  dd if="$part" of="$disk" bs=4M seek=$((start * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
  rm -f "$part"
}

# LVM on MBR with an xfs root: mkfs.xfs cannot populate from a directory, so the tree is copied
# from the ext4 disk inside libguestfs' appliance (a minute or two under TCG). The GPT disk's EFI
# partition is formatted in the same appliance.
build_lvm() {
  truncate -s "$LAYOUT_SIZE" "$work/disk-lvm.raw"
  LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg guestfish <<EOF
add $work/disk.raw readonly:true format:raw
add $work/disk-lvm.raw format:raw
add $work/disk-gpt.raw format:raw
memsize 1024
smp 2
run
part-disk /dev/sdb mbr
part-set-mbr-id /dev/sdb 1 0x8e
pvcreate /dev/sdb1
vgcreate lifeboat /dev/sdb1
lvcreate-free root lifeboat 100
mkfs xfs /dev/lifeboat/root label:lifeboatroot
mkmountpoint /src
mkmountpoint /lvm
mount-ro /dev/sda /src
mount /dev/lifeboat/root /lvm
cp-a /src/. /lvm/
write /lvm/etc/hostname "lifeboat-lvm\n"
write /lvm/etc/hosts "127.0.0.1\tlocalhost\n127.0.1.1\tlifeboat-lvm\n::1\tlocalhost ip6-localhost ip6-loopback\n"
write /lvm/etc/fstab "/dev/mapper/lifeboat-root / xfs defaults 0 1\n"
mkfs vfat /dev/sdc1 label:EFI
mkmountpoint /efi
mount /dev/sdc1 /efi
mkdir-p /efi/EFI/lifeboat
write /efi/EFI/lifeboat/README.txt "the EFI system partition of lifeboat-gpt\n"
umount-all
EOF
}

build() {
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y debootstrap; } >&2
  local t
  for t in qemu-img mkfs.ext4 chroot sgdisk sfdisk guestfish; do
    command -v "$t" >/dev/null || die "$t missing (scripts/host-setup.sh installs qemu-utils, e2fsprogs and libguestfs-tools)"
  done

  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.build-$key.XXXXXX")"
  chmod 0755 "$work"   # mktemp makes it 0700; QEMU may run as another user (libvirt-qemu)
  root="$work/root"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  log "building $out from $mirror (several minutes)"
  debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >&2

  chroot_mount --bind /proc "$root/proc"
  chroot_mount --bind /sys "$root/sys"
  chroot_mount --bind /dev "$root/dev"
  # A bind of /dev does not bring the host's /dev/shm and /dev/pts; PostgreSQL needs shared memory
  # and apt wants a pty. /run is private to the chroot so nothing lands in the image's /run.
  chroot_mount -t tmpfs tmpfs "$root/dev/shm"
  chroot_mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  chroot_mount -t tmpfs tmpfs "$root/run"
  configure_root >&2
  unmount_all
  # mkfs -d copies whatever it finds: refuse if anything is still mounted in the root.
  still_mounted "$root" && die "something is still mounted below $root"

  local k i
  k=( "$root"/boot/vmlinuz-* ) i=( "$root"/boot/initrd.img-* )
  [ ${#k[@]} -eq 1 ] && [ -f "${k[0]}" ] || die "expected one kernel in /boot, found: ${k[*]}"
  [ ${#i[@]} -eq 1 ] && [ -f "${i[0]}" ] || die "expected one initrd in /boot, found: ${i[*]}"
  install -m 0644 "${k[0]}" "$work/vmlinuz"
  install -m 0644 "${i[0]}" "$work/initrd.img"

  truncate -s "$DISK_SIZE" "$work/disk.raw"
  mkfs.ext4 -q -F -L lifeboat-root -d "$root" "$work/disk.raw" >&2
  build_gpt >&2
  rm -rf --one-file-system "$root"
  build_lvm >&2
  local d
  for d in disk disk-gpt disk-lvm; do
    qemu-img convert -O qcow2 "$work/$d.raw" "$work/$d.qcow2"
    rm -f "$work/$d.raw"
  done
  printf '%s' "$recipe" > "$work/recipe"   # sha256sum of this file is the key
  sync -f "$work/disk.qcow2" "$work/disk-gpt.qcow2" "$work/disk-lvm.qcow2"

  # Publish: the final name appears only with a whole image behind it.
  if [ -e "$out" ]; then
    local old="$cache/.old-$key.$$"
    mv -T "$out" "$old"
    mv -T "$work" "$out"
    rm -rf --one-file-system "$old"
  else
    mv -T "$work" "$out"
  fi
  work=""
  log "built $out"
}

ensure_image() {
  if [ "$force" = 0 ] && complete "$out"; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mount)"
  mkdir -p "$cache"
  # One build per key at a time; whoever waited finds the other's image.
  exec 9> "$cache/.lock-$key"
  flock 9
  if [ "$force" = 1 ] || ! complete "$out"; then
    # Temporary directories of a crashed build of this key (we hold its lock, so none is live).
    local d
    for d in "$cache/.build-$key".* "$cache/.old-$key".*; do
      [ -d "$d" ] || continue
      if still_mounted "$d"; then log "leaving $d: something is mounted below it"; else rm -rf --one-file-system "$d"; fi
    done
    build
  fi
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# KVM probe: /dev/kvm may exist yet not work (nested virtualisation off, no permission, a broken
# host module). Boot the kernel with an init that exits at once and see whether it printed.

probe_kvm() {
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo tcg; return; }
  command -v qemu-system-x86_64 >/dev/null || { echo tcg; return; }
  local logf
  logf="$(mktemp)"
  # panic=-1 plus -no-reboot: once init fails the kernel panics and QEMU exits instead of looping.
  timeout 20 qemu-system-x86_64 -accel kvm -kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
    -append 'console=ttyS0 panic=-1 rdinit=/bin/false' -no-reboot -nographic -m 256 \
    < /dev/null > "$logf" 2>&1 || true
  if grep -q 'Linux version' "$logf"; then echo kvm; else echo tcg; fi
  rm -f "$logf"
}

case "$mode" in
  print) echo "$out" ;;
  probe) ensure_image >&2; probe_kvm ;;
  build) ensure_image; echo "$out" ;;
esac
