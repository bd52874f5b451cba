#!/usr/bin/python3
"""Exports the ONNX models that src/models tests run, with PyTorch's own outputs as golden values.

Run with Debian's Python (it has torch 1.13, torchvision 0.14, onnx 1.12):

    /usr/bin/python3 tools/export_onnx.py            # small fixtures + resnet18 into .fairscope/models/
    /usr/bin/python3 tools/export_onnx.py --no-resnet18

Writes
  test/fixtures/models/tiny-convnet.onnx        conv net, dynamic batch, 16x16 NCHW (a few KB)
  test/fixtures/models/tiny-convnet-b2.onnx     the same weights with a fixed batch of 2
  test/fixtures/models/tiny-resnet.onnx         torchvision ResNet (BasicBlock, [1,1,1,1]) at widths
                                                8/16/32/64, random BN statistics, 64x64 input (< 1 MB)
  test/fixtures/models/reference.json           PyTorch outputs of the models above on fixed inputs
  .fairscope/models/resnet18-seed0.onnx         torchvision resnet18, torch.manual_seed(0) (45 MB,
                                                gitignored: never committed)
  test/fixtures/models/resnet18-reference.json  its SHA-256 and PyTorch's pooled 512-d embeddings

Inputs are not images but a closed formula that the TypeScript tests reproduce exactly (see
`formula_input`): element j of the flattened (n, c, h, w) tensor is
    float32(1.7 * sin(0.0137 * j + 0.5) + 0.3 * cos(0.00091 * j))
computed in float64 and rounded once to float32.

Each model has two named outputs: `embedding` (the pooled features, flattened) and `logits`
(the classifier). The batch axis is symbolic (`batch`) except in the fixed-batch variant.
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "models")
CACHE = os.path.join(ROOT, ".fairscope", "models")
OPSET = 13
FORMULA = "float32(1.7 * sin(0.0137 * j + 0.5) + 0.3 * cos(0.00091 * j)), j = flat index in (n, c, h, w)"


def formula_input(shape):
    """The deterministic input tensor described in the module docstring."""
    j = np.arange(int(np.prod(shape)), dtype=np.float64)
    x = 1.7 * np.sin(0.0137 * j + 0.5) + 0.3 * np.cos(0.00091 * j)
    return torch.from_numpy(x.astype(np.float32).reshape(shape))


class TinyConvNet(nn.Module):
    """conv3x3(3->6) + ReLU + conv3x3 stride 2 (6->8) + ReLU + global mean = 8-d embedding; linear -> 3 logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        embedding = x.mean(dim=(2, 3))
        return embedding, self.fc(embedding)


class EmbeddingAndLogits(nn.Module):
    """Wraps a torchvision ResNet so that it returns (pooled features, fc logits)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        n = self.net
        x = n.maxpool(n.relu(n.bn1(n.conv1(x))))
        x = n.layer4(n.layer3(n.layer2(n.layer1(x))))
        embedding = torch.flatten(n.avgpool(x), 1)
        return embedding, n.fc(embedding)


def tiny_resnet():
    """torchvision's ResNet with BasicBlock, one block per stage, widths 8/16/32/64 instead of 64..512.

    torchvision's constructor hard-codes the widths, so the stem and stages are rebuilt with its own
    `_make_layer`; the blocks and the forward pass are torchvision's.
    """
    net = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
    net.inplanes = 8
    net.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
    net.bn1 = nn.BatchNorm2d(8)
    net.layer1 = net._make_layer(BasicBlock, 8, 1)
    net.layer2 = net._make_layer(BasicBlock, 16, 1, stride=2)
    net.layer3 = net._make_layer(BasicBlock, 32, 1, stride=2)
    net.layer4 = net._make_layer(BasicBlock, 64, 1, stride=2)
    net.fc = nn.Linear(64, 10)
    # Untrained BN layers are identities at eval time; random statistics make the export's BN folding matter.
    g = torch.Generator().manual_seed(1)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(0.1 * torch.randn(c, generator=g))
            m.running_var.copy_(0.5 + torch.rand(c, generator=g))
            m.weight.data.copy_(0.5 + torch.rand(c, generator=g))
            m.bias.data.copy_(0.1 * torch.randn(c, generator=g))
    return net


def export(model, path, shape, dynamic_batch=True):
    model.eval()
    dynamic_axes = (
        {"input": {0: "batch"}, "embedding": {0: "batch"}, "logits": {0: "batch"}} if dynamic_batch else None
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(
        model,
        formula_input(shape),
        path,
        input_names=["input"],
        output_names=["embedding", "logits"],
        dynamic_axes=dynamic_axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def outputs(model, shape):
    with torch.no_grad():
        emb, logits = model.eval()(formula_input(shape))
    return emb.double().numpy().tolist(), logits.double().numpy().tolist()


def entry(model, file, shape, note):
    emb, logits = outputs(model, shape)
    return {
        "file": file,
        "sha256": sha256(os.path.join(FIXTURES, file)),
        "note": note,
        "inputShape": list(shape),
        "embedding": emb,
        "logits": logits,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-resnet18", action="store_true", help="skip the 45 MB resnet18 export")
    args = ap.parse_args()
    torch.set_num_threads(1)

    torch.manual_seed(0)
    tiny = TinyConvNet()
    export(tiny, os.path.join(FIXTURES, "tiny-convnet.onnx"), (3, 3, 16, 16))
    export(tiny, os.path.join(FIXTURES, "tiny-convnet-b2.onnx"), (2, 3, 16, 16), dynamic_batch=False)

    torch.manual_seed(0)
    resnet = EmbeddingAndLogits(tiny_resnet())
    export(resnet, os.path.join(FIXTURES, "tiny-resnet.onnx"), (3, 3, 64, 64))

    reference = {
        "generatedBy": "tools/export_onnx.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "opset": OPSET,
        "inputFormula": FORMULA,
        "models": {
            "tiny-convnet": entry(tiny, "tiny-convnet.onnx", (3, 3, 16, 16), "TinyConvNet, torch.manual_seed(0)"),
            "tiny-convnet-b2": entry(
                tiny, "tiny-convnet-b2.onnx", (3, 3, 16, 16), "same weights, batch fixed at 2 in the graph"
            ),
            "tiny-resnet": entry(
                resnet,
                "tiny-resnet.onnx",
                (3, 3, 64, 64),
                "torchvision ResNet(BasicBlock,[1,1,1,1]) widths 8/16/32/64, torch.manual_seed(0), BN stats seed 1",
            ),
        },
    }
    with open(os.path.join(FIXTURES, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")

    if not args.no_resnet18:
        torch.manual_seed(0)
        r18 = EmbeddingAndLogits(torchvision.models.resnet18())
        path = os.path.join(CACHE, "resnet18-seed0.onnx")
        shape = (3, 3, 224, 224)
        export(r18, path, shape)
        emb, logits = outputs(r18, shape)
        with open(os.path.join(FIXTURES, "resnet18-reference.json"), "w") as f:
            json.dump(
                {
                    "generatedBy": "tools/export_onnx.py",
                    "torch": torch.__version__,
                    "torchvision": torchvision.__version__,
                    "opset": OPSET,
                    "model": "torchvision.models.resnet18(), random init after torch.manual_seed(0)",
                    "onnxPath": ".fairscope/models/resnet18-seed0.onnx",
                    "sha256": sha256(path),
                    "inputFormula": FORMULA,
                    "inputShape": list(shape),
                    "embedding": emb,
                    "logitsFirst10": [row[:10] for row in logits],
                },
                f,
            )
            f.write("\n")
    print("wrote", FIXTURES, file=sys.stderr)


if __name__ == "__main__":
    main()
