"""Golden values for src/train/losses: each loss and its gradient w.r.t. its inputs, computed with
PyTorch (float64) on fixed seeded tensors, following the reference implementations:

- Sinkhorn / SwAV: vissl `vissl/losses/swav_loss.py` (`distributed_sinkhornknopp`, max subtracted
  before exp, u = r/rowsum form, final column normalisation; loss averaged over the other crops,
  then over the assignment crops; codes computed under no_grad). Queue appended, first B rows kept.
- NT-Xent: SimCLR Algorithm 1 (arXiv:2002.05709), written as a slow loop over anchors.
- BYOL: 2 - 2 cos(p, z.detach()) (arXiv:2006.07733).
- DINO: official `DINOLoss` (arXiv:2104.14294), center EMA with momentum 0.9.
- Barlow Twins: official `BarlowTwins.forward` (BatchNorm1d(affine=False), arXiv:2103.03230).

Run with Debian's Python (torch 1.13):  /usr/bin/python3 tools/losses_reference.py
Writes test/fixtures/train/losses.json.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
DT = torch.float64


def t(x):
    return x.detach().numpy().round(12).tolist()


def sinkhorn_vissl(scores, epsilon, iters):
    with torch.no_grad():
        a = scores / epsilon
        a = a - a.max()
        Q = torch.exp(a).t()  # K x B
        Q /= Q.sum()
        k, n = Q.shape
        r = torch.ones(k, dtype=DT) / k
        c = torch.ones(n, dtype=DT) / n
        curr_sum = Q.sum(dim=1)
        for _ in range(iters):
            u = curr_sum
            Q *= (r / u).unsqueeze(1)
            Q *= (c / Q.sum(dim=0)).unsqueeze(0)
            curr_sum = Q.sum(dim=1)
        return (Q / Q.sum(dim=0, keepdim=True)).t()


def cos_scores(b, k, d=8):
    z = F.normalize(torch.randn(b, d, dtype=DT), dim=1)
    c = F.normalize(torch.randn(k, d, dtype=DT), dim=1)
    return z @ c.t()


def swav_vissl(crops, n_global, temperature, epsilon, iters, queue=None):
    bs = crops[0].shape[0]
    total = 0
    for i in range(n_global):
        with torch.no_grad():
            s = crops[i]
            if queue is not None:
                s = torch.cat([s, queue[i]], 0)
            q = sinkhorn_vissl(s, epsilon, iters)[:bs]
        loss = 0
        for v in range(len(crops)):
            if v == i:
                continue
            loss = loss - torch.mean(torch.sum(q * F.log_softmax(crops[v] / temperature, dim=1), dim=1))
        total = total + loss / (len(crops) - 1)
    return total / n_global


def nt_xent_loop(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2], 0), dim=1)
    n = z.shape[0]
    b = n // 2
    total = 0
    for i in range(n):
        pos = (i + b) % n
        num = torch.exp(z[i] @ z[pos] / temperature)
        den = sum(torch.exp(z[i] @ z[j] / temperature) for j in range(n) if j != i)
        total = total - torch.log(num / den)
    return total / n


def dino_official(student, teacher, center, st, tt):
    s = [x / st for x in student]
    tq = [F.softmax((x - center) / tt, dim=-1).detach() for x in teacher]
    total, n = 0, 0
    for iq, q in enumerate(tq):
        for v in range(len(s)):
            if v == iq:
                continue
            total = total + torch.sum(-q * F.log_softmax(s[v], dim=-1), dim=-1).mean()
            n += 1
    return total / n


def barlow_official(z1, z2, lambd):
    bn = torch.nn.BatchNorm1d(z1.shape[1], affine=False).double()
    bn.train()
    c = bn(z1).T @ bn(z2) / z1.shape[0]
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off_mask = ~torch.eye(c.shape[0], dtype=torch.bool)
    off = c[off_mask].pow(2).sum()
    return on + lambd * off


out = {"generator": "tools/losses_reference.py", "torch": torch.__version__}

# Sinkhorn
sk = []
for b, k, eps, it in [(6, 5, 0.05, 3), (7, 4, 0.03, 10), (5, 9, 0.05, 0)]:
    s = cos_scores(b, k)
    sk.append({"scores": t(s), "epsilon": eps, "iterations": it, "codes": t(sinkhorn_vissl(s, eps, it))})
out["sinkhorn"] = sk

# SwAV: 2 global + 2 local crops, with and without queue
sw = []
for b, k, n_local, use_queue in [(6, 5, 2, False), (4, 7, 0, False), (5, 6, 2, True)]:
    crops = [cos_scores(b, k).requires_grad_() for _ in range(2 + n_local)]
    queue = [cos_scores(8, k) for _ in range(2)] if use_queue else None
    loss = swav_vissl(crops, 2, 0.1, 0.05, 3, queue)
    loss.backward()
    case = {
        "global": [t(c) for c in crops[:2]],
        "local": [t(c) for c in crops[2:]],
        "temperature": 0.1, "epsilon": 0.05, "iterations": 3,
        "loss": loss.item(),
        "gradGlobal": [t(c.grad) for c in crops[:2]],
        "gradLocal": [t(c.grad) for c in crops[2:]],
    }
    if queue is not None:
        case["queue"] = [t(q) for q in queue]
    sw.append(case)
out["swav"] = sw

# NT-Xent
nx = []
for b, d, temp in [(5, 4, 0.5), (3, 6, 0.1)]:
    z1 = torch.randn(b, d, dtype=DT, requires_grad=True)
    z2 = torch.randn(b, d, dtype=DT, requires_grad=True)
    loss = nt_xent_loop(z1, z2, temp)
    loss.backward()
    nx.append({"z1": t(z1), "z2": t(z2), "temperature": temp, "loss": loss.item(),
               "gradZ1": t(z1.grad), "gradZ2": t(z2.grad)})
out["ntXent"] = nx

# BYOL
p = torch.randn(5, 4, dtype=DT, requires_grad=True)
z = torch.randn(5, 4, dtype=DT, requires_grad=True)
loss = torch.mean(2 - 2 * F.cosine_similarity(p, z.detach(), dim=1))
loss.backward()
out["byol"] = {"p": t(p), "z": t(z), "loss": loss.item(), "gradP": t(p.grad)}

# DINO
student = [torch.randn(5, 6, dtype=DT, requires_grad=True) for _ in range(4)]
teacher = [torch.randn(5, 6, dtype=DT, requires_grad=True) for _ in range(2)]
center = torch.randn(1, 6, dtype=DT) * 0.3
loss = dino_official(student, teacher, center, 0.1, 0.04)
loss.backward()
new_center = center * 0.9 + torch.cat(teacher).detach().mean(dim=0, keepdim=True) * 0.1
out["dino"] = {"student": [t(s) for s in student], "teacher": [t(x) for x in teacher], "center": t(center),
               "studentTemp": 0.1, "teacherTemp": 0.04, "loss": loss.item(),
               "gradStudent": [t(s.grad) for s in student], "newCenter": t(new_center)}

# Barlow Twins
z1 = torch.randn(8, 5, dtype=DT, requires_grad=True)
z2 = (z1.detach() * 0.7 + 0.5 * torch.randn(8, 5, dtype=DT)).requires_grad_()
loss = barlow_official(z1, z2, 5e-3)
loss.backward()
out["barlowTwins"] = {"z1": t(z1), "z2": t(z2), "lambda": 5e-3, "loss": loss.item(),
                      "gradZ1": t(z1.grad), "gradZ2": t(z2.grad)}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "train", "losses.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.normpath(path))
