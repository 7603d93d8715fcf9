#!/usr/bin/env python3
"""Writes the seed corpora of the data-layer fuzz targets (fuzz/corpus/idx, fuzz/corpus/csv) and
of the web lab's API target (fuzz/corpus/api) and the CLI's small tables (fuzz/corpus/tables).

Small files: valid inputs of every kind plus tricky invalid ones, so that the fuzzer starts from
every branch of the readers and `make test` replays them. Deterministic; run from the repo root:
    python3 tools/make_fuzz_corpus.py
"""
import gzip
import json
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


# The route selector of fuzz/fuzz_api.cpp: byte 0 modulo the number of routes.
API_ROUTES = ["linear_evaluate", "linear_step", "problem_grid", "race", "dynamics",
              "dynamics_regimes", "taylor", "taylor_local", "playground",
              "playground_regularization"]

LECTURE_POINTS = [{"x": [1.0, 2.0], "y": 0}, {"x": [-1.5, 0.5], "y": 1},
                  {"x": [0.5, -1.0], "y": 2}]
LECTURE_PARAMS = {"W": [[1.0, -0.5], [0.2, 0.8], [-0.6, 0.1]], "b": [0.0, 0.1, -0.1]}


def api_corpus():
    def request(name, route, body):
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        write("api", name, bytes([API_ROUTES.index(route)]) + text.encode())

    linear = {"points": LECTURE_POINTS, "params": LECTURE_PARAMS}
    request("linear_evaluate", "linear_evaluate",
            dict(linear, loss="softmax", reg=0.1, view=[-2, 2, -2, 2], view_n=4))
    request("linear_step", "linear_step", dict(linear, loss="svm", margin=1, lr=0.1, steps=3))
    request("linear_bad_point", "linear_evaluate",
            {"points": [{"x": [1.0], "y": 7}], "params": LECTURE_PARAMS})
    request("problem_grid", "problem_grid", {"function": "rosenbrock", "n": 4})
    request("race", "race", {"function": "booth", "optimizers": ["sgd:lr=0.05", "adam:lr=0.1"],
                             "steps": 5, "start": [1.5, -1.0]})
    request("race_bad_spec", "race", {"function": "beale", "optimizers": ["adam:lr=x"]})
    request("dynamics", "dynamics", {"eigenvalues": [1, 10], "lr": 0.15, "momentum": 0.5,
                                     "nesterov": True, "steps": 6, "start": [1, -2]})
    request("dynamics_bad_start", "dynamics", {"eigenvalues": [1, 2], "lr": 0.1, "start": [1]})
    request("dynamics_regimes", "dynamics_regimes",
            {"lambda": 10, "momentum": 0.9, "lr_max": 0.3, "n": 5})
    request("taylor", "taylor", {"function": "sin", "x0": 0.5, "degrees": [1, 3, 13],
                                 "range": [-6, 6], "points": 9})
    request("taylor_local", "taylor_local", {"function": "himmelblau", "point": [1, -0.5], "n": 3})
    request("playground", "playground",
            {"dataset": "xor", "samples": 16, "widths": [4], "activation": "tanh",
             "batchnorm": True, "optimizer": "adam:lr=0.05", "steps": 4, "report_every": 2,
             "grid": 3, "seed": 1})
    request("playground_regularization", "playground_regularization",
            {"dataset": "moons", "samples": 16, "widths": [3], "steps": 3, "grid": 3,
             "lambdas": [0, 0.1], "penalty": "l1"})
    request("not_an_object", "dynamics", "[1, 2]")
    request("not_json", "taylor", "{\"degrees\": [1,")
    # Nested one level past the limit (kMaxJsonDepth = 256), refused before parsing.
    request("too_deep", "dynamics", '{"eigenvalues": ' + "[" * 256 + "]" * 256 + "}")


def tables_corpus():
    # Byte 0 selects the file kind (see fuzz/fuzz_tables.cpp): 0 matrix, 1 design, 2 points.
    def table(name, kind, text):
        write("tables", name, bytes([kind]) + text.encode())

    table("matrix_2x2", 0, "2, 0.5\n0.5, 1\n")
    table("matrix_3x3_crlf", 0, "4,1,0\r\n1,3,1\r\n\r\n0,1,2\r\n")
    table("matrix_not_symmetric", 0, "1,2\n3,4\n")
    table("matrix_not_square", 0, "1,2,3\n4,5,6\n")
    table("matrix_ragged", 0, "1,2\n3\n")
    table("matrix_bad_number", 0, "1,x\n2,3\n")
    table("matrix_huge", 0, "1e308,0\n0,1e308\n")
    table("design", 1, "1, 100\n2, 101\n3, 99\n4, 102\n")
    table("design_one_row", 1, "  3\t, -1e-3\n")
    table("design_empty", 1, "\n\n")
    table("points_header", 2, "x0,x1,y\n1.5,2,0\n-1,0.5,1\n0,-2,2.0\n")
    table("points_comments", 2, "# lecture\n\n 1 , 2 , 1\r\n")
    table("points_bad_label", 2, "1,2,-1\n")
    table("points_label_too_big", 2, "1,2,3\n")
    table("points_two_fields", 2, "1,2\n")


if __name__ == "__main__":
    idx_corpus()
    csv_corpus()
    api_corpus()
    tables_corpus()
