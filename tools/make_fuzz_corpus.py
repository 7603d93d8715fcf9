#!/usr/bin/env python3
"""Writes the seed corpora of the data-layer fuzz targets (fuzz/corpus/idx, fuzz/corpus/csv).

Small files: valid inputs of every kind plus tricky invalid ones, so that the fuzzer starts from
every branch of the readers and `make test` replays them. Deterministic; run from the repo root:
    python3 tools/make_fuzz_corpus.py
"""
import gzip
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")


def idx(type_code, dims, payload, rank=None):
    rank = len(dims) if rank is None else rank
    return bytes([0, 0, type_code, rank]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(raw):
    # mtime=0 keeps the bytes reproducible.
    return gzip.compress(raw, compresslevel=9, mtime=0)


def write(kind, name, data):
    os.makedirs(os.path.join(ROOT, kind), exist_ok=True)
    with open(os.path.join(ROOT, kind, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def idx_corpus():
    images = idx(0x08, [2, 3, 3], bytes(range(0, 180, 10)))
    write("idx", "ubyte_images", images)
    write("idx", "ubyte_images_gz", gz(images))
    write("idx", "labels", idx(0x08, [4], bytes([0, 3, 6, 1])))
    write("idx", "labels_gz", gz(idx(0x08, [4], bytes([0, 3, 6, 9]))))
    write("idx", "byte", idx(0x09, [3], bytes([0x80, 0x7F, 0])))
    write("idx", "short", idx(0x0B, [2], struct.pack(">hh", -2, 300)))
    write("idx", "int_labels", idx(0x0C, [2], struct.pack(">ii", 1, -1)))
    write("idx", "float", idx(0x0D, [1, 2], struct.pack(">ff", 1.5, -0.25)))
    write("idx", "double_rank4", idx(0x0E, [1, 1, 1, 2], struct.pack(">dd", 2.0, float("nan"))))
    write("idx", "empty_dim", idx(0x08, [0, 28, 28], b""))
    write("idx", "bad_magic", b"\x01\x00" + images[2:])
    write("idx", "bad_type", idx(0x0A, [1], b"\x00"))
    write("idx", "rank0", idx(0x08, [], b""))
    write("idx", "rank5", idx(0x08, [1] * 5, b"\x00"))
    write("idx", "overflow_dims", idx(0x0E, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""))
    write("idx", "truncated_header", images[:9])
    write("idx", "truncated_payload", images[:-3])
    write("idx", "extra_bytes", images + b"\x00\x01")
    write("idx", "gz_huge_header", gz(idx(0x0E, [60000, 28, 28], b"\x01\x02")))
    write("idx", "gz_bomb", gz(idx(0x08, [4], b"\x00" * 4) + b"\x00" * 100000))
    write("idx", "gz_truncated", gz(images)[:-10])
    write("idx", "gz_trailing", gz(images) + b"\x00")
    write("idx", "gz_concatenated", gz(images[:10]) + gz(images[10:]))
    write("idx", "gz_header_only", b"\x1f\x8b")
    # Found by fuzzing: a zero size hid an int64 overflow of the other sizes' product.
    write("idx", "found_zero_dim_overflow", bytes.fromhex("00000e04000000000e0400000086002a00008600"))


def csv_corpus():
    # The first byte selects the options (see fuzz/fuzz_csv.cpp): bit 0 no header, bit 1 label
    # by name "y", bits 2-3 label index - 2, bit 4 regression, bit 5 ';', bit 6 three classes.
    write("csv", "header_last", "\x04x0,x1,y\n0.5,0.4,0\n-0.4,0.3,1\n0.7,-0.4,2\n")
    write("csv", "by_name", "\x02a,\"y\",b\r\n1,0,2\r\n3,1,4\r\n")
    write("csv", "no_header", "\x01" + "1,2,0\n3,4,1\n")
    write("csv", "regression", "\x10x,t\n1e-3,2.5\n+4,-1.25e2\n")
    write("csv", "semicolon", "\x20a;b;y\n1;2;0\n\n3;4;1\n")
    write("csv", "three_classes", "\x40a,y\n1,2\n2,3\n")
    write("csv", "ragged", "\x00a,b,y\n1,2,0\n1,2\n")
    write("csv", "bad_number", "\x00a,b,y\n1,2x,0\n")
    write("csv", "nan_inf", "\x00a,b,y\nnan,inf,0\n")
    write("csv", "huge", "\x10a,y\n1e39,1e308\n")
    write("csv", "label_fraction", "\x00a,y\n1,1.5\n")
    write("csv", "label_huge", "\x00a,y\n1,1e300\n")
    write("csv", "one_column", "\x00only\n1\n")
    write("csv", "empty", "\x00")
    write("csv", "header_only", "\x00a,b,y\n")
    write("csv", "missing_name", "\x02a,b\n1,2\n")


if __name__ == "__main__":
    idx_corpus()
    csv_corpus()
