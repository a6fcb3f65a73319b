#!/usr/bin/env bash
# Creates the disks of a small demo VM and prints its libvirt domain XML, for the README's
# walk-through:   scripts/demo-vm.sh > demo.xml && scripts/lifeboat vm define demo.xml
#
#   scripts/demo-vm.sh [NAME] [DIR]     defaults: lifeboat-demo, /var/lib/libvirt/images
#
# The VM has no operating system (QEMU under TCG runs it fine); its two qcow2 disks get some
# data so there is something to back up. Guest writes before a second backup can be made with
#   virsh qemu-monitor-command NAME --hmp 'qemu-io -d /machine/peripheral/ua-vda/virtio-backend "write -P 0x5a 8M 1M"'
set -euo pipefail
name="${1:-lifeboat-demo}"
dir="${2:-/var/lib/libvirt/images}"
case "$name" in -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac
command -v qemu-img >/dev/null || { echo "demo-vm: qemu-img missing (scripts/host-setup.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
for d in vda:256M vdb:64M; do
  t="${d%%:*}" size="${d##*:}" f="$dir/$name-${d%%:*}.qcow2"
  [ -e "$f" ] && { echo "demo-vm: $f exists; remove it or pick another name" >&2; exit 1; }
  qemu-img create -q -f qcow2 "$f" "$size"
  # Random data, so the backup has something to compress and nothing to deduplicate.
  noise="$(mktemp)"
  head -c 16M /dev/urandom > "$noise"
  qemu-io -f qcow2 "$f" -c "write -s $noise 0 16M" -c "write -P 0x22 32M 4M" >/dev/null
  rm -f "$noise"
done
cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$dir/$name-vda.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <alias name='ua-vda'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$dir/$name-vdb.qcow2'/>
      <target dev='vdb' bus='virtio'/>
      <alias name='ua-vdb'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
