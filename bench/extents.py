#!/usr/bin/env python3
"""Allocated extents of a sparse file, and two benchmark helpers built on them (stdlib only).

    extents.py list   FILE                 print "offset length" of every data extent, then a total
    extents.py sample FILE OUT [--bytes N] copy the first N bytes of data (default 1 GiB) into OUT,
                                           1 MiB grid slots with all-zero ones skipped: the same
                                           real bytes bench/Limits.java reads from the image
    extents.py chunks FILE --chunk-size N  count fixed-grid slots that hold data and how many of
                                           them are distinct and not all-zero (what a fixed-grid
                                           dedup store should end up holding)

Extents come from lseek(SEEK_DATA/SEEK_HOLE), so the answer is at file-system block granularity.
"""
import argparse
import hashlib
import os
import sys

DEFAULT_SAMPLE = 1 << 30
SAMPLE_SLOT = 1 << 20


def data_extents(fd):
    """Yields (offset, length) for each allocated run of the file behind fd."""
    size = os.fstat(fd).st_size
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after pos
            return
        end = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, end - start
        pos = end


def cmd_list(args):
    fd = os.open(args.file, os.O_RDONLY)
    try:
        total = n = 0
        for off, length in data_extents(fd):
            print(off, length)
            total += length
            n += 1
        print(f"# {n} extents, {total} bytes of data", file=sys.stderr)
    finally:
        os.close(fd)


def data_slots(fd, slot_size):
    """Yields the indexes of fixed-grid slots that overlap allocated data, in order."""
    last = -1
    for off, length in data_extents(fd):
        for slot in range(max(off // slot_size, last + 1), (off + length - 1) // slot_size + 1):
            yield slot
            last = slot


def cmd_sample(args):
    # Same selection as bench/Limits.java: 1 MiB grid slots holding data, all-zero ones skipped.
    want = args.bytes
    fd = os.open(args.file, os.O_RDONLY)
    got = 0
    zero = bytes(SAMPLE_SLOT)
    try:
        with open(args.out, "wb") as out:
            for slot in data_slots(fd, SAMPLE_SLOT):
                buf = os.pread(fd, min(SAMPLE_SLOT, want - got), slot * SAMPLE_SLOT)
                if buf == zero[:len(buf)]:
                    continue
                out.write(buf)
                got += len(buf)
                if got >= want:
                    break
    finally:
        os.close(fd)
    if got < want:
        print(f"extents.py: only {got} non-zero bytes in {args.file} (asked for {want})", file=sys.stderr)
    print(got)


def cmd_chunks(args):
    cs = args.chunk_size
    fd = os.open(args.file, os.O_RDONLY)
    try:
        slots = list(data_slots(fd, cs))
        zero = bytes(cs)
        digests = set()
        zero_slots = 0
        for slot in slots:
            buf = os.pread(fd, cs, slot * cs)
            if buf == zero[:len(buf)]:
                zero_slots += 1
                continue
            digests.add(hashlib.sha256(buf).digest())
    finally:
        os.close(fd)
    print(f"slots_with_data={len(slots)} all_zero={zero_slots} distinct={len(digests)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("list")
    s.add_argument("file")
    s.set_defaults(fn=cmd_list)
    s = sub.add_parser("sample")
    s.add_argument("file")
    s.add_argument("out")
    s.add_argument("--bytes", type=int, default=DEFAULT_SAMPLE)
    s.set_defaults(fn=cmd_sample)
    s = sub.add_parser("chunks")
    s.add_argument("file")
    s.add_argument("--chunk-size", type=int, required=True)
    s.set_defaults(fn=cmd_chunks)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
