#!/usr/bin/python3
"""PyTorch side of descent's benchmark suite (bench/, `make bench`).

Runs the same workloads as build/descent_bench, measured the same way (bench/timing.h: warm-up,
then batches of about 2 ms for about 0.5 s in all, report the median time per call over the
batches), and prints one JSON object per line on stdout:

    {"workload": "tiny_step", "value": 98.1, "unit": "us", "threads": 1,
     "by_threads": {"1": 98.1, "2": 301.4}}

Workloads named `<name>_t<n>` run with torch.set_num_threads(n). Every other workload runs with
1 and with 2 threads (the machine's cores, at most) and reports its best; `threads` says which
won and `by_threads` gives both. tiny_step and tiny_step_nn also print their first losses
(`check`) so that the C++ side can verify it trains the very same network. mlp_epoch is timed
differently (see make_mlp_epoch) and its `check` is [peak RSS MiB of this process, seconds to
load Fashion-MNIST].

Run with Debian's interpreter: /usr/bin/python3 tools/bench_torch.py [--quick] [--only a,b]
Progress and warnings go to stderr.

With --serve it measures on request instead, so that the C++ side can alternate PyTorch's runs
with its own (the machine's speed drifts over seconds): each line "<workload> <threads>" read
from stdin is answered by one line {"workload": ..., "value": ..., "unit": ..., "threads": n}
with one measurement (one epoch for mlp_epoch); it ends at the end of its input.
"""

import argparse
import json
import math
import gzip
import os
import resource
import statistics
import sys
import time

import torch

# --- timing (keep in step with bench/timing.h) ----------------------------------------------

FULL = {"total_s": 0.5, "min_batches": 7, "batch_s": 0.002, "warmup_s": 0.05}
QUICK = {"total_s": 0.05, "min_batches": 3, "batch_s": 0.002, "warmup_s": 0.01}


def measure(fn, cfg):
    """Median seconds per call of fn() over batches of about cfg['batch_s'] each, run until
    cfg['total_s'] has passed (at least cfg['min_batches']). Short batches keep other
    processes' time slices out of most batches; see bench/timing.h."""
    clock = time.perf_counter
    calls = 0
    start = clock()
    while True:
        fn()
        calls += 1
        elapsed = clock() - start
        if calls >= 2 and elapsed >= cfg["warmup_s"]:
            break
    per_call = elapsed / calls
    iters = max(1, round(cfg["batch_s"] / max(per_call, 1e-9)))
    times = []
    start = clock()
    while len(times) < cfg["min_batches"] or clock() - start < cfg["total_s"]:
        t0 = clock()
        for _ in range(iters):
            fn()
        times.append((clock() - t0) / iters)
    return statistics.median(times)


# --- deterministic inputs shared with the C++ side (bench/tiny_step.cpp) -----------------------


def det_values(n, salt, scale):
    """scale * sin(0.37 i + salt): the same doubles as std::sin in C++ (both use glibc)."""
    return [scale * math.sin(0.37 * i + salt) for i in range(n)]


def det_tensor(shape, salt, scale):
    n = math.prod(shape)
    return torch.tensor(det_values(n, salt, scale), dtype=torch.float64).to(torch.float32).reshape(shape)


# --- workloads: each returns a no-argument callable ---------------------------------------------

TINY_LR = 0.1
TINY_MOMENTUM = 0.9
TINY_BATCH = 32


def tiny_net():
    """2 -> 16 -> 16 -> 3, tanh; the parameters, their momentum buffers, a batch and labels."""
    sizes = [(2, 16), (16, 16), (16, 3)]
    params = []
    for layer, (fan_in, fan_out) in enumerate(sizes):
        w = det_tensor((fan_in, fan_out), 1.0 + layer, 1.0 / math.sqrt(fan_in))
        b = det_tensor((fan_out,), 10.0 + layer, 0.1)
        params += [w.requires_grad_(), b.requires_grad_()]
    vel = [torch.zeros_like(p) for p in params]
    x = det_tensor((TINY_BATCH, 2), 20.0, 1.0)
    y = torch.tensor([(7 * i) % 3 for i in range(TINY_BATCH)], dtype=torch.int64)
    return params, vel, x, y


def make_tiny_step():
    params, vel, x, y = tiny_net()
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h1 = torch.tanh(torch.matmul(x, w1) + b1)
        h2 = torch.tanh(torch.matmul(h1, w2) + b2)
        h3 = torch.matmul(h2, w3) + b3
        loss = -torch.mean(torch.gather(torch.log_softmax(h3, 1), 1, y.reshape(TINY_BATCH, 1)))
        loss.backward()
        sgd_momentum_update(params, vel)
        return loss

    return step


def sgd_momentum_update(params, vel):
    """v <- mu v + g; p <- p - lr v; g <- 0: the manual update both tiny_step rows use."""
    with torch.no_grad():
        for p, v in zip(params, vel):
            g = p.grad
            v.mul_(TINY_MOMENTUM).add_(g)
            p.add_(v, alpha=-TINY_LR)
            g.zero_()


def make_tiny_step_nn():
    """tiny_step's network as nn.Sequential (bench/nn_step.cpp): nn.Linear holds weight as
    [out, in], so it gets the transposes of tiny_net()'s numbers; same loss and update."""
    params, _, x, y = tiny_net()
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16), torch.nn.Tanh(),
        torch.nn.Linear(16, 16), torch.nn.Tanh(),
        torch.nn.Linear(16, 3),
    )
    with torch.no_grad():
        for layer, lin in enumerate(model[::2]):
            lin.weight.copy_(params[2 * layer].t())
            lin.bias.copy_(params[2 * layer + 1])
    model_params = list(model.parameters())
    vel = [torch.zeros_like(p) for p in model_params]

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        sgd_momentum_update(model_params, vel)
        return loss

    return step


def make_mlp784_step():
    """Forward + backward of a 784-256-128-10 ReLU MLP at batch 128, then zero_grad (to None,
    as descent's Module::zero_grad); default init, fixed seed."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(128, 784, generator=gen)
    y = torch.randint(0, 10, (128,), generator=gen)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        model.zero_grad(set_to_none=True)
        return loss

    return step


def first_losses(factory, steps=5):
    step = factory()
    return [float(step().item()) for _ in range(steps)]


# Workloads whose first losses go to the C++ side (`check`).
CHECKED = {"tiny_step": make_tiny_step, "tiny_step_nn": make_tiny_step_nn}


def make_matmul(m, n, k, trans_a=False, trans_b=False):
    """[m,k] @ [k,n]; a transposed operand is a transposed view of a contiguous tensor."""
    gen = torch.Generator().manual_seed(0)
    a = torch.randn((k, m) if trans_a else (m, k), generator=gen)
    b = torch.randn((n, k) if trans_b else (k, n), generator=gen)
    a = a.t() if trans_a else a
    b = b.t() if trans_b else b
    return lambda: torch.matmul(a, b)


def make_add(n):
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, generator=gen)
    b = torch.randn(n, generator=gen)
    return lambda: a + b


def make_optim_step(kind, n=10_000_000):
    """One torch.optim step over n float32 parameters whose gradient is filled once
    (bench/optim_step.cpp): Adam(lr=1e-3) or SGD(lr=1e-3, momentum=0.9), 1.13's default
    implementation (the per-tensor loop; foreach is off by default)."""
    gen = torch.Generator().manual_seed(0)
    p = torch.randn(n, generator=gen).requires_grad_()
    p.grad = torch.randn(n, generator=gen)
    if kind == "adam":
        opt = torch.optim.Adam([p], lr=1e-3)
    else:
        opt = torch.optim.SGD([p], lr=1e-3, momentum=0.9)
    opt.step()  # creates the state, as the C++ side does before timing
    return opt.step


# The descent side names the same rows in bench/matmul.cpp (kMlpGemms).
MLP_GEMMS = {
    # name: (m, n, k, trans_a, trans_b)
    "mlp_fwd1": (128, 256, 784, False, False),
    "mlp_fwd2": (128, 128, 256, False, False),
    "mlp_fwd3": (128, 10, 128, False, False),
    "mlp_bwd_dx3": (128, 128, 10, False, True),
    "mlp_bwd_dw3": (128, 10, 128, True, False),
    "mlp_bwd_dx2": (128, 256, 128, False, True),
    "mlp_bwd_dw2": (256, 128, 128, True, False),
    "mlp_bwd_dw1": (784, 256, 128, True, False),
}

# --- mlp_epoch: one training epoch on Fashion-MNIST (bench/mlp_epoch.cpp) ---------------------

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
EPOCH_REPS = 3  # min over this many epochs, as the C++ side
_fashion = {}


def read_idx(path):
    """An IDX file (gzip'd) as a uint8 tensor of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(shape)


def fashion_train():
    """The training split as float32 [60000, 784] standardized with its own mean and std (as
    descent's default `standardize` transform) and int64 labels; loaded once per process."""
    if not _fashion:
        t0 = time.perf_counter()
        x = read_idx(os.path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"))
        y = read_idx(os.path.join(FASHION_MNIST_DIR, "train-labels-idx1-ubyte.gz"))
        x = x.reshape(x.shape[0], -1).to(torch.float32)
        x = (x - x.mean(0)) / x.std(0).clamp_min(1e-12)
        _fashion["x"], _fashion["y"] = x.contiguous(), y.to(torch.int64)
        _fashion["load_s"] = time.perf_counter() - t0
    return _fashion["x"], _fashion["y"], _fashion["load_s"]


def make_mlp_epoch():
    """One epoch of a 784-256-128-10 ReLU MLP (nn.Sequential, default init), Adam lr 1e-3,
    batch 128 (the last batch short), F.cross_entropy, a fresh randperm order per epoch over
    the preloaded float32 tensors. Each call builds a fresh model and optimizer (untimed, as
    the C++ side constructs a fresh Trainer) and returns the seconds of the epoch itself."""
    x, y, _ = fashion_train()
    n = x.shape[0]
    gen = torch.Generator().manual_seed(0)

    def epoch():
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10),
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        for begin in range(0, n, 128):
            idx = order[begin:begin + 128]
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return time.perf_counter() - t0

    return epoch


def make_hvp_power20():
    """Twenty power iterations with exact Hessian-vector products on a 784-256-128-10 ReLU MLP
    over the first 1000 Fashion-MNIST training images (bench/hvp_power.cpp): one call builds
    the gradient with create_graph, then v <- Hv / |Hv| twenty times with
    torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)."""
    x, y, _ = fashion_train()
    x, y = x[:1000].contiguous(), y[:1000].contiguous()
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    params = list(model.parameters())
    gen = torch.Generator().manual_seed(0)
    start = [torch.randn(p.shape, generator=gen) for p in params]
    norm = math.sqrt(sum(float((t * t).sum()) for t in start))
    start = [t / norm for t in start]
    state = {"lambda": 0.0}

    def power20():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        v = start
        for _ in range(20):
            hv = torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)
            with torch.no_grad():
                lam = math.sqrt(sum(float((h * h).sum()) for h in hv))
                v = [h / lam for h in hv]
        state["lambda"] = lam

    power20.state = state
    power20.model, power20.params, power20.x, power20.y, power20.start = model, params, x, y, start
    return power20


def hvp_check(cfg):
    """[lambda estimate, seconds of one HVP on a built graph, seconds of one gradient]."""
    fn = make_hvp_power20()
    fn()
    model, params, x, y, v = fn.model, fn.params, fn.x, fn.y, fn.start
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    hvp_s = measure(lambda: torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True),
                    cfg)
    grad_s = measure(
        lambda: torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), params), cfg)
    return [fn.state["lambda"], hvp_s, grad_s]


def time_epochs(epoch, reps):
    """Min seconds over `reps` epochs (an epoch is long: medians of short batches do not apply)."""
    return min(epoch() for _ in range(reps))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


# name: (factory, unit, scale from seconds)
WORKLOADS = {
    "tiny_step": (make_tiny_step, "us", 1e6),
    "tiny_step_nn": (make_tiny_step_nn, "us", 1e6),
    "mlp784_step": (make_mlp784_step, "us", 1e6),
    "matmul_1024": (lambda: make_matmul(1024, 1024, 1024), "ms", 1e3),
    "add_16m": (lambda: make_add(16 * 1024 * 1024), "ms", 1e3),
    "adam_10m": (lambda: make_optim_step("adam"), "ms", 1e3),
    "sgd_momentum_10m": (lambda: make_optim_step("sgd"), "ms", 1e3),
    "mlp_epoch": (make_mlp_epoch, "s", 1.0),
    "hvp_power20": (make_hvp_power20, "ms", 1e3),
}
# Workloads timed by min over whole calls that return their own seconds (not measure()).
SELF_TIMED = {"mlp_epoch"}
for _name, _shape in MLP_GEMMS.items():
    WORKLOADS[_name] = ((lambda s: lambda: make_matmul(*s))(_shape), "us", 1e6)
# Small ops at a fixed thread count (bench/threads.cpp).
for _n in (1, 2):
    WORKLOADS[f"add_1k_t{_n}"] = (lambda: make_add(1000), "us", 1e6)
    WORKLOADS[f"add_64k_t{_n}"] = (lambda: make_add(64 * 1024), "us", 1e6)
    WORKLOADS[f"add_1m_t{_n}"] = (lambda: make_add(1024 * 1024), "us", 1e6)
    WORKLOADS[f"tiny_step_t{_n}"] = (make_tiny_step, "us", 1e6)


def thread_counts(name):
    """The fixed count of a `_t<n>` workload, else 1 and the machine's cores (at most 2)."""
    head, sep, tail = name.rpartition("_t")
    if sep and tail.isdigit():
        return [int(tail)]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return sorted({1, max(1, min(2, cores or 1))})


def run(name, cfg):
    factory, unit, scale = WORKLOADS[name]
    by_threads = {}
    for n in thread_counts(name):
        torch.set_num_threads(n)
        fn = factory()
        if name in SELF_TIMED:
            by_threads[n] = time_epochs(fn, 1 if cfg is QUICK else EPOCH_REPS) * scale
        else:
            by_threads[n] = measure(fn, cfg) * scale
    best = min(by_threads, key=by_threads.get)
    row = {
        "workload": name,
        "value": by_threads[best],
        "unit": unit,
        "threads": best,
        "by_threads": {str(k): v for k, v in by_threads.items()},
    }
    if name in CHECKED:
        row["check"] = first_losses(CHECKED[name])
    if name == "mlp_epoch":
        row["check"] = [peak_rss_mib(), fashion_train()[2]]
    if name == "hvp_power20":
        torch.set_num_threads(best)
        row["check"] = hvp_check(cfg)
    return row


def serve(cfg):
    """Answers "<workload> <threads>" lines from stdin, one measurement each (see the top)."""
    made = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name, threads = words[0], int(words[1]) if len(words) > 1 else 1
        if name not in WORKLOADS:
            print(json.dumps({"error": f"unknown workload {name}"}), flush=True)
            continue
        factory, unit, scale = WORKLOADS[name]
        torch.set_num_threads(threads)
        if (name, threads) not in made:
            made[(name, threads)] = factory()
        fn = made[(name, threads)]
        seconds = fn() if name in SELF_TIMED else measure(fn, cfg)
        row = {"workload": name, "value": seconds * scale, "unit": unit, "threads": threads}
        print(json.dumps(row), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short timings (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--list", action="store_true", help="print the workload names and exit")
    parser.add_argument("--serve", action="store_true",
                        help='measure on request: "<workload> <threads>" lines on stdin')
    args = parser.parse_args()

    if args.list:
        print("\n".join(WORKLOADS))
        return 0
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"bench_torch: unknown workload(s): {', '.join(unknown)}", file=sys.stderr)
        return 2

    cfg = QUICK if args.quick else FULL
    if args.serve:
        return serve(cfg)
    print(f"bench_torch: torch {torch.__version__}, {len(names)} workload(s)", file=sys.stderr)
    print(json.dumps({"torch_version": torch.__version__}), flush=True)
    for name in names:
        row = run(name, cfg)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
