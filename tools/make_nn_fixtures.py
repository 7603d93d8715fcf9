#!/usr/bin/python3
"""Reference values for descent's layers, computed with PyTorch (Debian's python3-torch).

Writes tests/data/nn/layers.json: for each case its inputs, options, outputs and the gradients
of sum(g * output) for a fixed upstream gradient g, all float64. The C++ tests
(tests/nn/test_layer_fixtures.cpp) read the file; they never import torch. Run from the
repository root:

    /usr/bin/python3 tools/make_nn_fixtures.py

Cases: batch_norm (training forward/backward on [N, C] and [N, C, L], running statistics over
several batches with momentum 0.1 and with the cumulative average, evaluation output), layer_norm,
gelu (exact and tanh), softplus (several beta/threshold) and linear.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240601)
DT = torch.float64


def enc(t):
    t = t.detach().to(DT)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def randn(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape, dtype=DT) * scale + shift).requires_grad_(True)


def grads(out, inputs):
    g = torch.randn_like(out)
    gs = torch.autograd.grad(out, inputs, g)
    return g, gs


cases = {}


def batch_norm_training(name, shape):
    c = shape[1]
    bn = torch.nn.BatchNorm1d(c, dtype=DT)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(c, dtype=DT))
        bn.bias.copy_(torch.randn(c, dtype=DT))
    x = randn(*shape, scale=2.0, shift=0.5)
    y = bn(x)
    g, (dx, dw, db) = grads(y, [x, bn.weight, bn.bias])
    cases[name] = {
        "input": enc(x), "weight": enc(bn.weight), "bias": enc(bn.bias),
        "output": enc(y), "grad_output": enc(g),
        "grad_input": enc(dx), "grad_weight": enc(dw), "grad_bias": enc(db),
        "running_mean": enc(bn.running_mean), "running_var": enc(bn.running_var),
    }


batch_norm_training("batch_norm_train_2d", (6, 3))
batch_norm_training("batch_norm_train_3d", (4, 3, 5))


def batch_norm_running(name, momentum):
    bn = torch.nn.BatchNorm1d(2, momentum=momentum, dtype=DT)
    batches = [torch.randn(5, 2, dtype=DT) * 3 + 1 for _ in range(3)]
    steps = []
    for b in batches:
        bn(b)
        steps.append({"running_mean": enc(bn.running_mean), "running_var": enc(bn.running_var),
                      "num_batches_tracked": int(bn.num_batches_tracked)})
    bn.eval()
    x_eval = torch.randn(4, 2, dtype=DT)
    cases[name] = {"momentum": momentum, "batches": [enc(b) for b in batches], "steps": steps,
                   "eval_input": enc(x_eval), "eval_output": enc(bn(x_eval))}


batch_norm_running("batch_norm_running_momentum", 0.1)
batch_norm_running("batch_norm_running_cumulative", None)

# No running statistics: evaluation normalizes with the batch's statistics.
bn = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False, dtype=DT).eval()
x = torch.randn(4, 3, dtype=DT)
cases["batch_norm_untracked_eval"] = {"input": enc(x), "output": enc(bn(x))}


def layer_norm(name, shape, normalized):
    ln = torch.nn.LayerNorm(normalized, dtype=DT)
    with torch.no_grad():
        ln.weight.copy_(torch.randn(*normalized, dtype=DT))
        ln.bias.copy_(torch.randn(*normalized, dtype=DT))
    x = randn(*shape, scale=1.5, shift=-0.3)
    y = ln(x)
    g, (dx, dw, db) = grads(y, [x, ln.weight, ln.bias])
    cases[name] = {"normalized_shape": list(normalized), "input": enc(x), "weight": enc(ln.weight),
                   "bias": enc(ln.bias), "output": enc(y), "grad_output": enc(g),
                   "grad_input": enc(dx), "grad_weight": enc(dw), "grad_bias": enc(db)}


layer_norm("layer_norm_last", (4, 5), (5,))
layer_norm("layer_norm_two_dims", (2, 3, 4), (3, 4))

# Activations on a grid that reaches both tails.
grid = torch.cat([torch.linspace(-12, 12, 49, dtype=DT), torch.tensor(
    [-40.0, -25.0, -1e-3, 0.0, 1e-3, 3.7, 9.99, 10.0, 10.01, 25.0, 40.0], dtype=DT)])
for approximate in ["none", "tanh"]:
    x = grid.clone().requires_grad_(True)
    y = F.gelu(x, approximate=approximate)
    g, (dx,) = grads(y, [x])
    cases["gelu_" + approximate] = {"input": enc(x), "output": enc(y), "grad_output": enc(g),
                                    "grad_input": enc(dx)}

for beta, threshold in [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0)]:
    x = grid.clone().requires_grad_(True)
    y = F.softplus(x, beta=beta, threshold=threshold)
    g, (dx,) = grads(y, [x])
    cases[f"softplus_beta{beta:g}_threshold{threshold:g}"] = {
        "beta": beta, "threshold": threshold, "input": enc(x), "output": enc(y),
        "grad_output": enc(g), "grad_input": enc(dx)}

x, w, b = randn(3, 4), randn(2, 4), randn(2)
y = F.linear(x, w, b)
g, (dx, dw, db) = grads(y, [x, w, b])
cases["linear"] = {"input": enc(x), "weight": enc(w), "bias": enc(b), "output": enc(y),
                   "grad_output": enc(g), "grad_input": enc(dx), "grad_weight": enc(dw),
                   "grad_bias": enc(db)}

out = {"generator": "tools/make_nn_fixtures.py", "torch": torch.__version__, "cases": cases}
path = os.path.join("tests", "data", "nn", "layers.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {path}: {len(cases)} cases")
