#!/usr/bin/python3
"""Reference values for descent's loss functions, computed with PyTorch (Debian's python3-torch).

Writes tests/data/nn/losses.json: for each case the inputs, the options, the loss value and the
gradient of sum(loss) with respect to the input, all in float64. The C++ tests read the file;
they never import torch. Run from the repository root:

    /usr/bin/python3 tools/make_loss_fixtures.py

Losses PyTorch has under another definition are expressed through it (the Weston-Watkins SVM is
C times multi_margin_loss); the One-vs-All and Crammer-Singer losses, which PyTorch lacks, are
written out with torch ops, and the cosine loss is 1 - cosine_similarity.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
DT = torch.float64


def enc(t):
    t = t.detach()
    return {
        "shape": list(t.shape),
        "dtype": "int64" if t.dtype == torch.int64 else "float64",
        "data": t.reshape(-1).tolist(),
    }


def case(name, loss, fn, inp, target, options=None, **extra):
    x = inp.clone().requires_grad_(True)
    out = fn(x)
    (g,) = torch.autograd.grad(out.sum(), x)
    c = {"name": name, "loss": loss, "options": options or {}, "input": enc(inp),
         "target": enc(target), "output": enc(out), "grad_input": enc(g)}
    for k, v in extra.items():
        c[k] = enc(v)
    return c


def reductions():
    return ["none", "mean", "sum"]


cases = []
N, C = 5, 4
logits = torch.randn(N, C, dtype=DT) * 2
labels = torch.tensor([0, 3, 1, 3, 2])
weight = torch.tensor([0.5, 1.0, 2.0, 0.25], dtype=DT)
probs = torch.softmax(torch.randn(N, C, dtype=DT), 1)

# --- cross-entropy ---
for r in reductions():
    cases.append(case(f"ce_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, labels, reduction=r), logits, labels,
                      {"reduction": r}))
    cases.append(case(f"ce_weight_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, labels, weight=weight, reduction=r),
                      logits, labels, {"reduction": r}, weight=weight))
    cases.append(case(f"ce_smooth_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, labels, label_smoothing=0.2, reduction=r),
                      logits, labels, {"reduction": r, "label_smoothing": 0.2}))
    cases.append(case(f"ce_weight_smooth_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, labels, weight=weight,
                                                     label_smoothing=0.3, reduction=r),
                      logits, labels, {"reduction": r, "label_smoothing": 0.3}, weight=weight))
    cases.append(case(f"ce_probs_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, probs, reduction=r), logits, probs,
                      {"reduction": r}))
    cases.append(case(f"ce_probs_weight_smooth_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, probs, weight=weight,
                                                     label_smoothing=0.1, reduction=r),
                      logits, probs, {"reduction": r, "label_smoothing": 0.1}, weight=weight))
ignored = torch.tensor([0, -100, 1, 3, -100])
for r in ["mean", "sum"]:
    cases.append(case(f"ce_ignore_weight_smooth_{r}", "cross_entropy",
                      lambda x, r=r: F.cross_entropy(x, ignored, weight=weight, ignore_index=-100,
                                                     label_smoothing=0.2, reduction=r),
                      logits, ignored, {"reduction": r, "label_smoothing": 0.2,
                                        "ignore_index": -100}, weight=weight))
# Large logits: the stable form must not overflow.
big = torch.tensor([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 799.0]], dtype=DT)
cases.append(case("ce_large_logits", "cross_entropy",
                  lambda x: F.cross_entropy(x, torch.tensor([1, 2]), reduction="none"), big,
                  torch.tensor([1, 2]), {"reduction": "none"}))

# --- NLL ---
logp = torch.log_softmax(logits, 1)
for r in reductions():
    cases.append(case(f"nll_{r}", "nll_loss", lambda x, r=r: F.nll_loss(x, labels, reduction=r),
                      logp, labels, {"reduction": r}))
    cases.append(case(f"nll_weight_{r}", "nll_loss",
                      lambda x, r=r: F.nll_loss(x, labels, weight=weight, reduction=r), logp,
                      labels, {"reduction": r}, weight=weight))
cases.append(case("nll_ignore_mean", "nll_loss",
                  lambda x: F.nll_loss(x, ignored, ignore_index=-100), logp, ignored,
                  {"reduction": "mean", "ignore_index": -100}))

# --- binary cross-entropy with logits ---
bl = torch.cat([torch.randn(3, 4, dtype=DT) * 3,
                torch.tensor([[0.0, 40.0, -40.0, 800.0]], dtype=DT)])
bt = torch.rand(4, 4, dtype=DT)
bt[0, :2] = torch.tensor([0.0, 1.0], dtype=DT)
bw = torch.rand(4, 1, dtype=DT) + 0.5
bpw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=DT)
for r in reductions():
    cases.append(case(f"bce_{r}", "binary_cross_entropy_with_logits",
                      lambda x, r=r: F.binary_cross_entropy_with_logits(x, bt, reduction=r), bl,
                      bt, {"reduction": r}))
    cases.append(case(f"bce_weight_pos_{r}", "binary_cross_entropy_with_logits",
                      lambda x, r=r: F.binary_cross_entropy_with_logits(
                          x, bt, weight=bw, pos_weight=bpw, reduction=r),
                      bl, bt, {"reduction": r}, weight=bw, pos_weight=bpw))

# --- regression ---
ri = torch.randn(3, 4, dtype=DT) * 2
rt = torch.randn(3, 4, dtype=DT)
for r in reductions():
    cases.append(case(f"mse_{r}", "mse_loss", lambda x, r=r: F.mse_loss(x, rt, reduction=r), ri,
                      rt, {"reduction": r}))
    cases.append(case(f"l1_{r}", "l1_loss", lambda x, r=r: F.l1_loss(x, rt, reduction=r), ri, rt,
                      {"reduction": r}))
    for d in [1.0, 0.5]:
        cases.append(case(f"huber_{d}_{r}", "huber_loss",
                          lambda x, r=r, d=d: F.huber_loss(x, rt, delta=d, reduction=r), ri, rt,
                          {"reduction": r, "delta": d}))


# --- multiclass SVMs ---
def one_vs_all(x, y, margin, squared):
    t = 2 * F.one_hot(y, x.shape[1]).to(x.dtype) - 1
    h = torch.relu(margin - t * x)
    return (h * h if squared else h).sum(1)


def crammer_singer(x, y, margin, squared):
    mask = F.one_hot(y, x.shape[1]).bool()
    runner = x.masked_fill(mask, float("-inf")).amax(1)
    h = torch.relu(margin + runner - x.gather(1, y[:, None])[:, 0])
    return h * h if squared else h


def reduce(v, r):
    return v if r == "none" else (v.mean() if r == "mean" else v.sum())


scores = torch.randn(N, C, dtype=DT) * 1.5
for r in reductions():
    for margin in [1.0, 0.5]:
        for sq in [False, True]:
            tag = f"m{margin}_{'sq' if sq else 'lin'}_{r}"
            opts = {"reduction": r, "margin": margin, "squared": sq}
            cases.append(case(f"ww_{tag}", "multiclass_hinge_loss",
                              lambda x, r=r, m=margin, sq=sq: C * F.multi_margin_loss(
                                  x, labels, p=2 if sq else 1, margin=m, reduction=r),
                              scores, labels, dict(opts, variant="weston_watkins")))
            cases.append(case(f"ova_{tag}", "multiclass_hinge_loss",
                              lambda x, r=r, m=margin, sq=sq: reduce(
                                  one_vs_all(x, labels, m, sq), r),
                              scores, labels, dict(opts, variant="one_vs_all")))
            cases.append(case(f"cs_{tag}", "multiclass_hinge_loss",
                              lambda x, r=r, m=margin, sq=sq: reduce(
                                  crammer_singer(x, labels, m, sq), r),
                              scores, labels, dict(opts, variant="crammer_singer")))

# --- cosine ---
cy = torch.randn(4, 3, dtype=DT)
ct = torch.randn(4, 3, dtype=DT)
ct[1] = -2 * cy[1]  # opposite direction: loss 2
ct[2] = 3 * cy[2]  # same direction: loss 0
for r in reductions():
    cases.append(case(f"cosine_{r}", "cosine_loss",
                      lambda x, r=r: reduce(1 - F.cosine_similarity(x, ct, dim=-1, eps=1e-8), r),
                      cy, ct, {"reduction": r, "eps": 1e-8}))

out = os.path.join("tests", "data", "nn", "losses.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
# One case per line, so that a regenerated file diffs case by case.
with open(out, "w") as f:
    f.write('{"generator":"tools/make_loss_fixtures.py","torch":%s,"cases":[\n'
            % json.dumps(torch.__version__))
    f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
    f.write("\n]}\n")
print(f"wrote {len(cases)} cases to {out}")
