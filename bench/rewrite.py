#!/usr/bin/env python3
"""Simulates a day of guest writes: overwrites ~1 % of a disk image's USED space in place.

    rewrite.py IMAGE [--percent 1.0] [--seed 20261127] [--block 65536] [--offsets-only]

Picks distinct block-aligned offsets whose whole block lies inside an allocated extent
(found with lseek SEEK_DATA/SEEK_HOLE) and writes random bytes there, both from a seeded PRNG:
the same image, seed and options always give the same result. Works on IMAGE itself, so run it
on a copy (`cp --sparse=always`). Prints what it did, one key=value per line. With
--offsets-only it writes nothing and prints the chosen offsets, one a line (for guest writes).
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extents import data_extents  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image")
    p.add_argument("--percent", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=20261127)
    p.add_argument("--block", type=int, default=64 << 10)
    p.add_argument("--offsets-only", action="store_true")
    a = p.parse_args()
    bs = a.block

    fd = os.open(a.image, os.O_RDONLY if a.offsets_only else os.O_RDWR)
    try:
        used = 0
        candidates = []  # block indexes fully inside data
        for off, length in data_extents(fd):
            used += length
            first = -(-off // bs)            # first aligned block starting inside the extent
            last = (off + length) // bs      # exclusive: blocks ending inside the extent
            if last > first:
                candidates.append((first, last))
        total_blocks = sum(last - first for first, last in candidates)
        want = max(1, round(used * a.percent / 100 / bs))
        if want > total_blocks:
            sys.exit(f"rewrite.py: want {want} blocks but only {total_blocks} aligned blocks hold data")

        rng = random.Random(a.seed)
        picks = sorted(rng.sample(range(total_blocks), want))
        # Map the flat pick numbers back to block indexes, walking the extents once.
        blocks = []
        base = 0
        it = iter(candidates)
        first, last = next(it)
        for k in picks:
            while k >= base + (last - first):
                base += last - first
                first, last = next(it)
            blocks.append(first + (k - base))

        if a.offsets_only:
            for b in blocks:
                print(b * bs)
            return
        for b in blocks:
            os.pwrite(fd, rng.randbytes(bs), b * bs)
        os.fsync(fd)
    finally:
        os.close(fd)

    print(f"used_bytes={used}")
    print(f"blocks={len(blocks)}")
    print(f"block_size={bs}")
    print(f"rewritten_bytes={len(blocks) * bs}")
    print(f"seed={a.seed}")
    print(f"first_offsets={','.join(str(b * bs) for b in blocks[:5])}")


if __name__ == "__main__":
    main()
