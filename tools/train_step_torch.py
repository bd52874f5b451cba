"""PyTorch baseline for bench/train.ts: the time of one training step (forward, backward, SGD update)
of the same networks fairscope trains (src/train/backbones/presets.ts, src/train/methods.ts), on
the CPU with a fixed number of threads. Inputs are random tensors of the crop shapes: augmentation
is not timed (bench/train.ts times TF.js's separately).

- resnet-tiny: 3x3 stem (16), one basic block per stage, widths 16/32/64, stride 2 from stage 2.
- resnet18-cifar: 3x3 stem (64), basic blocks [2, 2, 2, 2], widths 64..512.
- swav: 2 crops of SIZE + 2 of round(SIZE*96/224), same-size crops batched together, projection
  Linear(no bias)-BN-ReLU-Linear (hidden 256, out 64), L2 norm, 100 prototypes, Sinkhorn 3
  iterations (eps 0.05), temperature 0.1 (protocols.md 7.1).
- supervised: one crop of SIZE, linear classifier (10 classes), cross-entropy.

Run with Debian's Python (torch 1.13):
  /usr/bin/python3 tools/train_step_torch.py --backbone resnet-tiny --method swav --batch 64 \\
      --size 32 --steps 5 --threads 2
Prints one JSON object: {"backbone", "method", "batch", "threads", "step_ms": [...], "median_ms"}.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


def resnet(blocks, width):
    layers = [nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    cin = width
    for s, n in enumerate(blocks):
        w = width * 2**s
        for i in range(n):
            layers.append(BasicBlock(cin, w, 2 if (i == 0 and s > 0) else 1))
            cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), cin


BACKBONES = {"resnet-tiny": ([1, 1, 1], 16), "resnet18-cifar": ([2, 2, 2, 2], 64)}


@torch.no_grad()
def sinkhorn(scores, eps=0.05, iters=3):
    q = torch.exp((scores - scores.max()) / eps).t()
    q /= q.sum()
    k, b = q.shape
    for _ in range(iters):
        q /= q.sum(dim=1, keepdim=True) * k
        q /= q.sum(dim=0, keepdim=True) * b
    return (q / q.sum(dim=0, keepdim=True)).t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", default="resnet-tiny", choices=sorted(BACKBONES))
    ap.add_argument("--method", default="swav", choices=["swav", "supervised"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    trunk, feat = resnet(*BACKBONES[a.backbone])
    if a.method == "swav":
        head = nn.Sequential(nn.Linear(feat, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 64))
        protos = nn.Linear(64, 100, bias=False)
        params = [*trunk.parameters(), *head.parameters(), *protos.parameters()]
        local = max(8, round(a.size * 96 / 224))
        crops = [torch.randn(2 * a.batch, 3, a.size, a.size), torch.randn(2 * a.batch, 3, local, local)]
    else:
        clf = nn.Linear(feat, 10)
        params = [*trunk.parameters(), *clf.parameters()]
        crops = [torch.randn(a.batch, 3, a.size, a.size)]
        labels = torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-6)

    def step():
        if a.method == "swav":
            with torch.no_grad():
                protos.weight.copy_(F.normalize(protos.weight, dim=1))
            scores = []
            for c in crops:
                z = F.normalize(head(trunk(c)), dim=1)
                scores += list(protos(z).chunk(2))
            loss = 0
            for i in range(2):
                q = sinkhorn(scores[i].detach())
                sub = 0
                for v, s in enumerate(scores):
                    if v != i:
                        sub -= torch.mean(torch.sum(q * F.log_softmax(s / 0.1, dim=1), dim=1))
                loss += sub / (len(scores) - 1)
            loss /= 2
        else:
            loss = F.cross_entropy(clf(trunk(crops[0])), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "backbone": a.backbone, "method": a.method, "batch": a.batch, "size": a.size,
        "threads": a.threads, "torch": torch.__version__, "step_ms": [round(t, 1) for t in times],
        "median_ms": round(statistics.median(times), 1),
    }))


if __name__ == "__main__":
    main()
