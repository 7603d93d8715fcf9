#!/usr/bin/env python3
"""Writes the seed corpus of the checkpoint fuzz target: fuzz/corpus/checkpoint/.

This is a second, independent writer of docs/checkpoint-format.md (standard library only), so
the corpus also checks that the C++ reader follows the document and not just its own writer.
Files named valid-* must parse; invalid-* must be refused (tests/app/test_checkpoint_corpus.cpp
checks both, and the exact contents of valid-small.ckpt).

Usage: python3 tools/make_checkpoint_corpus.py [output directory]
"""
import json
import os
import struct
import sys
import zlib


def assemble(header_text: str, data: bytes, pad: bool = True) -> bytes:
    raw = header_text.encode("utf-8")
    if pad:
        raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def metadata(data: bytes, user=None) -> dict:
    return {"format": "descent-checkpoint", "version": 1,
            "data_crc32": zlib.crc32(data) & 0xFFFFFFFF,
            "user": {} if user is None else user}


def checkpoint(tensors, user=None) -> bytes:
    """tensors: list of (name, dtype tag, shape, little-endian bytes)."""
    data = b"".join(t[3] for t in tensors)
    header = {"__metadata__": metadata(data, user)}
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    return assemble(json.dumps(header, separators=(",", ":")), data)


def f32(*values): return struct.pack(f"<{len(values)}f", *values)
def f64(*values): return struct.pack(f"<{len(values)}d", *values)
def i64(*values): return struct.pack(f"<{len(values)}q", *values)


def corpus() -> dict:
    small = [("w", "F32", [2, 3], f32(0.0, 0.5, 1.0, 1.5, 2.0, 2.5)),
             ("b", "F64", [3], f64(-1.0, 0.25, 1e-300)),
             ("steps", "I64", [], i64(-7))]
    out = {
        "valid-small.ckpt": checkpoint(small, {"lr": [0.1, 0.01], "note": "seed", "step": 3}),
        "valid-empty.ckpt": checkpoint([]),
        "valid-zero-size.ckpt": checkpoint([("e", "F32", [0, 4], b""), ("x", "I64", [1], i64(5)),
                                            ("z", "F64", [2, 0], b"")]),
        "valid-unpadded.ckpt": assemble(
            json.dumps({"__metadata__": metadata(f32(1.0)), "x": {
                "dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}), f32(1.0), pad=False),
        "valid-training-like.ckpt": checkpoint(
            [("model.0.weight", "F32", [2, 2], f32(1, 2, 3, 4)),
             ("optim.state.0.0.exp_avg", "F32", [2, 2], f32(0, 0, 0, 0))],
            {"kind": "training-state", "extra": {"step": 1}}),
    }
    good = out["valid-small.ckpt"]
    n = struct.unpack("<Q", good[:8])[0]
    out["invalid-truncated-header.ckpt"] = good[: 8 + n // 2]
    out["invalid-truncated-data.ckpt"] = good[:-3]
    out["invalid-short.ckpt"] = good[:5]
    flipped = bytearray(good)
    flipped[-1] ^= 0x10
    out["invalid-crc.ckpt"] = bytes(flipped)
    out["invalid-huge-header-length.ckpt"] = struct.pack("<Q", 1 << 62) + good[8:]
    out["invalid-trailing.ckpt"] = good + b"\0\0\0\0"

    def one(entry, data=f32(1, 2, 3, 4), user=None):
        return assemble(json.dumps({"__metadata__": metadata(data, user), "t": entry}), data)

    four = [0, 16]
    out["invalid-dtype.ckpt"] = one({"dtype": "BF16", "shape": [4], "data_offsets": four})
    out["invalid-negative-shape.ckpt"] = one({"dtype": "F32", "shape": [-4], "data_offsets": four})
    out["invalid-overflow-shape.ckpt"] = one(
        {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": four})
    out["invalid-offsets-mismatch.ckpt"] = one({"dtype": "F64", "shape": [4], "data_offsets": four})
    out["invalid-offsets-range.ckpt"] = one({"dtype": "F32", "shape": [4], "data_offsets": [8, 24]})
    data = f32(1, 2, 3, 4)
    meta = json.dumps(metadata(data))
    out["invalid-overlap.ckpt"] = assemble(
        '{"__metadata__":%s,"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},'
        '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}' % meta, data)
    out["invalid-gap.ckpt"] = assemble(
        '{"__metadata__":%s,"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}' % meta, data)
    out["invalid-duplicate.ckpt"] = assemble(
        '{"__metadata__":%s,"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},'
        '"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}' % meta, data)
    out["invalid-not-json.ckpt"] = assemble('{"__metadata__": {"format": ', b"")
    out["invalid-not-object.ckpt"] = assemble("[1, 2, 3]", b"")
    out["invalid-version.ckpt"] = assemble(
        json.dumps({"__metadata__": dict(metadata(b""), version=2)}), b"")
    out["invalid-deep.ckpt"] = assemble(
        json.dumps({"__metadata__": metadata(b"")})[:-1] + ',"x":' + "[" * 300 + "]" * 300 + "}", b"")
    bad_utf8 = b'{"\xff\xfe":1}'
    out["invalid-utf8.ckpt"] = struct.pack("<Q", len(bad_utf8)) + bad_utf8
    return out


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "fuzz", "corpus", "checkpoint")
    os.makedirs(target, exist_ok=True)
    for name, content in sorted(corpus().items()):
        with open(os.path.join(target, name), "wb") as f:
            f.write(content)
    print(f"wrote {len(corpus())} files to {target}")


if __name__ == "__main__":
    main()
