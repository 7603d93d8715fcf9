#!/usr/bin/python3
"""Writes PyTorch's learning-rate sequences as JSON fixtures for descent's scheduler tests.

Run with Debian's python3-torch (torch 1.13):  /usr/bin/python3 tools/make_schedule_fixtures.py
Output: tests/data/optim/schedules.json, a list of cases
  {"name", "scheduler", "options", "lrs0": [per group], "steps",
   "lrs": [[per group] for steps 0..steps],          # step 0: right after construction
   "momenta": [[...]]  (OneCycleLR only), "metrics": [...] (ReduceLROnPlateau only),
   "schedulers"/"milestones" (SequentialLR: the sub-schedulers' names and options)}
The tests never import torch; they rebuild each scheduler from "options" and compare.
"""
import json
import math
import os

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

LRS0 = [0.1, 0.05]


def make_opt(momentum=0.0):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in LRS0]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, LRS0)]
    return SGD(groups, lr=LRS0[0], momentum=momentum)


def build(opt, name, options):
    options = dict(options)
    # descent takes max_lr as a list of one value or one per group; torch wants a scalar for
    # the former.
    if isinstance(options.get("max_lr"), list) and len(options["max_lr"]) == 1:
        options["max_lr"] = options["max_lr"][0]
    return getattr(S, name)(opt, **options)


def lrs_of(opt):
    return [g["lr"] for g in opt.param_groups]


def case(name, scheduler, options, steps):
    opt = make_opt(momentum=0.9 if scheduler == "OneCycleLR" else 0.0)
    sched = build(opt, scheduler, options)
    lrs, momenta = [lrs_of(opt)], [[g["momentum"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(lrs_of(opt))
        momenta.append([g["momentum"] for g in opt.param_groups])
    out = {"name": name, "scheduler": scheduler, "options": options, "lrs0": LRS0,
           "steps": steps, "lrs": lrs}
    if scheduler == "OneCycleLR":
        out["momenta"] = momenta
    return out


def plateau_metrics(n):
    # Falls, stalls, wobbles and falls again, so every branch (patience, cooldown, min_lr,
    # threshold) is exercised.
    m = []
    for t in range(n):
        if t < 15:
            v = 1.0 / (1 + t)
        elif t < 40:
            v = 1.0 / 16 + 0.001 * math.sin(t)
        elif t < 60:
            v = 0.05 - 0.0004 * (t - 40)
        else:
            v = 0.04 + 0.00001 * (t % 7)
        m.append(v)
    return m


def plateau_case(name, options, steps, maximize=False):
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, **options)
    metrics = plateau_metrics(steps)
    if maximize:
        metrics = [-v for v in metrics]
    lrs = [lrs_of(opt)]
    for v in metrics:
        opt.step()
        sched.step(v)
        lrs.append(lrs_of(opt))
    return {"name": name, "scheduler": "ReduceLROnPlateau", "options": options, "lrs0": LRS0,
            "steps": steps, "metrics": metrics, "lrs": lrs}


def sequential_case(name, subs, milestones, steps):
    opt = make_opt()
    scheds = [build(opt, n, o) for n, o in subs]
    sched = S.SequentialLR(opt, scheds, milestones=milestones)
    lrs = [lrs_of(opt)]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(lrs_of(opt))
    return {"name": name, "scheduler": "SequentialLR", "lrs0": LRS0, "steps": steps,
            "options": {"milestones": milestones},
            "schedulers": [{"scheduler": n, "options": o} for n, o in subs], "lrs": lrs}


def main():
    cases = [
        case("step_30", "StepLR", {"step_size": 30, "gamma": 0.1}, 100),
        case("step_7_half", "StepLR", {"step_size": 7, "gamma": 0.5}, 60),
        case("multistep", "MultiStepLR", {"milestones": [10, 25, 60], "gamma": 0.3}, 80),
        case("multistep_dup", "MultiStepLR", {"milestones": [5, 20, 20], "gamma": 0.5}, 40),
        case("exponential", "ExponentialLR", {"gamma": 0.95}, 120),
        case("constant", "ConstantLR", {"factor": 0.25, "total_iters": 8}, 30),
        case("linear_warmup", "LinearLR", {"start_factor": 0.1, "total_iters": 10}, 40),
        case("linear_decay", "LinearLR",
             {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 50}, 70),
        case("cosine", "CosineAnnealingLR", {"T_max": 50, "eta_min": 0.001}, 200),
        case("cosine_zero_min", "CosineAnnealingLR", {"T_max": 17}, 60),
        case("warm_restarts", "CosineAnnealingWarmRestarts", {"T_0": 10, "eta_min": 0.001}, 100),
        case("warm_restarts_mult", "CosineAnnealingWarmRestarts",
             {"T_0": 5, "T_mult": 2, "eta_min": 0.0}, 160),
        case("onecycle_cos", "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 100}, 100),
        case("onecycle_linear", "OneCycleLR",
             {"max_lr": [0.8], "total_steps": 90, "anneal_strategy": "linear",
              "pct_start": 0.25}, 90),
        case("onecycle_three_phase", "OneCycleLR",
             {"max_lr": [0.3], "epochs": 12, "steps_per_epoch": 10, "three_phase": True,
              "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8,
              "max_momentum": 0.9}, 120),
        case("onecycle_no_momentum", "OneCycleLR",
             {"max_lr": [0.2], "total_steps": 64, "cycle_momentum": False, "pct_start": 0.5},
             63),
        plateau_case("plateau_default", {"patience": 3}, 100),
        plateau_case("plateau_abs_cooldown",
                     {"patience": 2, "factor": 0.5, "threshold": 0.002, "threshold_mode": "abs",
                      "cooldown": 3, "min_lr": [0.004, 0.01]}, 100),
        plateau_case("plateau_max", {"mode": "max", "patience": 4, "factor": 0.2,
                                     "threshold": 0.01}, 100, maximize=True),
        sequential_case("warmup_cosine",
                        [("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                         ("CosineAnnealingLR", {"T_max": 45, "eta_min": 0.0})], [5], 100),
        sequential_case("constant_exponential",
                        [("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                         ("ExponentialLR", {"gamma": 0.9})], [4], 60),
        sequential_case("three",
                        [("LinearLR", {"start_factor": 0.2, "total_iters": 8}),
                         ("StepLR", {"step_size": 10, "gamma": 0.5}),
                         ("CosineAnnealingWarmRestarts", {"T_0": 12, "T_mult": 2})],
                        [10, 40], 120),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "tests", "data", "optim", "schedules.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generator": "tools/make_schedule_fixtures.py",
                   "torch": torch.__version__, "cases": cases}, f, indent=None,
                  separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
