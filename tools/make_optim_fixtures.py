#!/usr/bin/python3
"""Writes tests/data/optim/trajectories.json: parameter trajectories of torch.optim (1.13) in
float64, for the optimizer parity tests (tests/optim/test_optim_parity.cpp).

Each case names its optimizer with descent's spec syntax ("adam:lr=0.01,amsgrad=true"), which
this script translates to torch keyword arguments, so the C++ test builds the optimizer through
descent's own spec parser. Two problems:
  - rosenbrock: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1.0), parameter shape [2];
  - mlp: a 4-5-3 tanh network with fixed weights on a fixed batch of 8, MSE loss
    (mean over all elements); weights and batch are stored in the file.
Parameters are recorded at step 0, every 10 steps, and after the last step.

torch's default dtype is set to float64 so that its scalar state tensors (NAdam's mu_product,
step counts) are double, as descent's are.

Run: /usr/bin/python3 tools/make_optim_fixtures.py
"""
import inspect
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "optim", "trajectories.json")
CLASSES = {
    "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW, "adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta,
    "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam,
}
STEPS = 120


def torch_kwargs(spec):
    name, _, rest = spec.partition(":")
    kwargs = {}
    betas = None
    for item in filter(None, rest.split(",")):
        key, value = item.split("=")
        if key in ("beta1", "beta2"):
            betas = betas or list(inspect.signature(CLASSES[name]).parameters["betas"].default)
            betas[0 if key == "beta1" else 1] = float(value)
        elif key == "betas":
            betas = [float(v) for v in value.split("/")]
        elif value in ("true", "false"):
            kwargs[key] = value == "true"
        else:
            kwargs[key] = float(value)
    if betas is not None:
        kwargs["betas"] = tuple(betas)
    if "foreach" in inspect.signature(CLASSES[name]).parameters:
        kwargs["foreach"] = False  # the single-tensor path, whose operation order we follow
    return name, kwargs


def rosenbrock_problem():
    p = torch.tensor([-1.2, 1.0], requires_grad=True)

    def loss(params):
        x, y = params[0][0], params[0][1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    return {"start": [-1.2, 1.0]}, [p], loss


def mlp_problem():
    # Fixed, smooth, non-symmetric values (no RNG, so nothing depends on torch's generator).
    def fill(rows, cols, a, b, scale):
        return [[scale * math.sin(a * (i + 1) + b * (j + 1) + 0.3) for j in range(cols)]
                for i in range(rows)]

    data = {
        "W1": fill(5, 4, 1.3, 0.7, 0.6), "b1": fill(1, 5, 0.9, 0.4, 0.2)[0],
        "W2": fill(3, 5, 0.5, 1.1, 0.5), "b2": fill(1, 3, 1.7, 0.2, 0.1)[0],
        "X": fill(8, 4, 0.8, 1.9, 1.0), "Y": fill(8, 3, 2.1, 0.6, 0.8),
    }
    params = [torch.tensor(data[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    X, Y = torch.tensor(data["X"]), torch.tensor(data["Y"])

    def loss(ps):
        W1, b1, W2, b2 = ps
        h = torch.tanh(X @ W1.T + b1)
        return torch.nn.functional.mse_loss(h @ W2.T + b2, Y)

    return data, params, loss


CASES = {
    "rosenbrock": [
        "sgd:lr=0.0005", "sgd:lr=0.0005,momentum=0.9", "sgd:lr=0.0002,momentum=0.9,nesterov=true",
        "sgd:lr=0.0005,momentum=0.8,dampening=0.3,weight_decay=0.1",
        "rmsprop:lr=0.01", "rmsprop:lr=0.001,momentum=0.9,centered=true",
        "rmsprop:lr=0.002,alpha=0.9,weight_decay=0.01,centered=true",
        "adam:lr=0.05", "adam:lr=0.05,beta1=0.8,beta2=0.99,amsgrad=true",
        "adam:lr=0.02,weight_decay=0.1,eps=1e-6",
        "adamw:lr=0.05", "adamw:lr=0.05,weight_decay=0.5,amsgrad=true",
        "adagrad:lr=0.1", "adagrad:lr=0.1,lr_decay=0.01,initial_accumulator_value=0.1,weight_decay=0.01",
        "adadelta:lr=1.0", "adadelta:lr=0.5,rho=0.95,eps=1e-5,weight_decay=0.01",
        "adamax:lr=0.05", "adamax:lr=0.05,betas=0.8/0.99,weight_decay=0.01",
        "nadam:lr=0.05", "nadam:lr=0.02,momentum_decay=0.01,weight_decay=0.01",
        "radam:lr=0.0005", "radam:lr=0.002,betas=0.9/0.9,weight_decay=0.01",
    ],
    "mlp": [
        "sgd:lr=0.1,momentum=0.9,nesterov=true,weight_decay=0.001", "sgd:lr=0.1,momentum=0.9,dampening=0.5",
        "rmsprop:lr=0.01,momentum=0.5,centered=true", "adam:lr=0.01,amsgrad=true",
        "adam:lr=0.01,maximize=true", "sgd:lr=0.01,momentum=0.5,maximize=true",
        "rmsprop:lr=0.001,maximize=true", "adagrad:lr=0.01,maximize=true", "adamax:lr=0.002,maximize=true",
        "adadelta:lr=0.1,maximize=true", "adamw:lr=0.001,maximize=true,amsgrad=true", "adamw:lr=0.01", "adagrad:lr=0.05,lr_decay=0.001",
        "adadelta:lr=1.0", "adamax:lr=0.02", "nadam:lr=0.003", "radam:lr=0.01",
    ],
}


def run(problem, spec):
    data, params, loss_fn = {"rosenbrock": rosenbrock_problem, "mlp": mlp_problem}[problem]()
    name, kwargs = torch_kwargs(spec)
    opt = CLASSES[name](params, **kwargs)
    record = lambda: [p.detach().flatten().tolist() for p in params]
    trajectory = [{"step": 0, "params": record()}]
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()
        if step % 10 == 0 or step == STEPS:
            trajectory.append({"step": step, "params": record()})
    return data, trajectory


def main():
    out = {"torch_version": torch.__version__, "steps": STEPS, "problems": {}, "cases": []}
    for problem, specs in CASES.items():
        for spec in specs:
            data, trajectory = run(problem, spec)
            out["problems"][problem] = data
            out["cases"].append({"problem": problem, "spec": spec, "trajectory": trajectory})
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
