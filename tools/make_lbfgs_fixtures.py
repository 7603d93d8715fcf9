#!/usr/bin/python3
"""Writes tests/data/optim/lbfgs_trajectories.json: trajectories of torch.optim.LBFGS (1.13)
in float64, for tests/optim/test_lbfgs_parity.cpp.

The problems (Rosenbrock from (-1.2, 1) and the 4-5-3 tanh MLP) are those of
make_optim_fixtures.py, imported from it. Each case is a descent spec ("lbfgs:history_size=3,
line_search_fn=strong_wolfe"), translated to torch keyword arguments. Every step calls
opt.step(closure) with the closure zero_grad / loss / backward / return loss; the parameters,
the loss returned by step and the state's func_evals and n_iter are recorded after every step.

Cases stay out of regimes that amplify rounding exponentially: descent's autograd may sum a
gradient's contributions in another order than torch's (an ulp apart), and L-BFGS with a
small history at a fixed step on Rosenbrock, or run into the MLP's degenerate minimum, grows
such a difference ~3x per iteration (measured) -- a property of those runs, not of the
algorithm. The cases kept agree bit for bit for the first steps and within 0.13 of the 1e-10
tolerance at worst.

Run: /usr/bin/python3 tools/make_lbfgs_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import make_optim_fixtures as base  # noqa: E402  (sets the default dtype to float64)

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "optim",
                   "lbfgs_trajectories.json")
STEPS = 25
INT_KEYS = {"max_iter", "max_eval", "history_size"}

CASES = {
    "rosenbrock": [
        "lbfgs:lr=0.1,max_iter=2",
        "lbfgs:lr=0.1,max_iter=2,history_size=2",
        "lbfgs:lr=0.2,max_iter=2,history_size=3",
        "lbfgs:max_iter=2,line_search_fn=strong_wolfe",
        "lbfgs:max_iter=1,history_size=2,line_search_fn=strong_wolfe",
        "lbfgs:line_search_fn=strong_wolfe",
    ],
    "mlp": [
        "lbfgs:lr=0.2,max_iter=2",
        "lbfgs:lr=0.2,max_iter=2,history_size=3",
        "lbfgs:lr=0.5,max_iter=1,history_size=2",
        "lbfgs:max_iter=3,line_search_fn=strong_wolfe",
        "lbfgs:max_iter=2,history_size=2,line_search_fn=strong_wolfe",
        "lbfgs:max_iter=2,history_size=3,line_search_fn=strong_wolfe",
    ],
}


def torch_kwargs(spec):
    _, _, rest = spec.partition(":")
    kwargs = {}
    for item in filter(None, rest.split(",")):
        key, value = item.split("=")
        if key == "line_search_fn":
            kwargs[key] = None if value == "none" else value
        elif key in INT_KEYS:
            kwargs[key] = int(value)
        else:
            kwargs[key] = float(value)
    return kwargs


def run(problem, spec):
    data, params, loss_fn = {"rosenbrock": base.rosenbrock_problem, "mlp": base.mlp_problem}[problem]()
    opt = torch.optim.LBFGS(params, **torch_kwargs(spec))

    def closure():
        opt.zero_grad()
        loss = loss_fn(params)
        loss.backward()
        return loss

    record = lambda: [p.detach().flatten().tolist() for p in params]
    trajectory = [{"step": 0, "params": record()}]
    for step in range(1, STEPS + 1):
        loss = float(opt.step(closure))
        state = opt.state[params[0]]
        trajectory.append({"step": step, "params": record(), "loss": loss,
                           "func_evals": state["func_evals"], "n_iter": state["n_iter"]})
    return data, trajectory


def main():
    out = {"torch_version": torch.__version__, "steps": STEPS, "problems": {}, "cases": []}
    for problem, specs in CASES.items():
        for spec in specs:
            data, trajectory = run(problem, spec)
            out["problems"][problem] = data
            out["cases"].append({"problem": problem, "spec": spec, "trajectory": trajectory})
            last = trajectory[-1]
            print(f"{problem:10s} {spec:75s} loss {last['loss']:.6g} evals {last['func_evals']}"
                  f" iters {last['n_iter']}")
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
