#!/usr/bin/python3
"""Writes test/fixtures/train/onnx-model.json: the bytes (hex) that onnx.helper serializes for a
small graph using every feature of src/linalg/onnx-model.ts (INT, INTS with negatives and
FLOAT attributes, int64 and float32 initializers, fixed-shape float inputs/outputs), checked by
onnx.checker; plus the expected output of that graph on a fixed input, computed with numpy.

Run with Debian's Python (onnx 1.12):  /usr/bin/python3 tools/onnx_model_reference.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Transpose", ["x"], ["xt"], name="n0", perm=[1, 0]),
        helper.make_node("Slice", ["xt", "starts", "ends", "axes", "steps"], ["s"], name="n1"),
        helper.make_node("LeakyRelu", ["s"], ["l"], name="n2", alpha=0.25),
        helper.make_node("Mul", ["l", "scale"], ["y"], name="n3"),
    ]
    inits = [
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "starts"),
        numpy_helper.from_array(np.array([-4], dtype=np.int64), "ends"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "axes"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "steps"),
        numpy_helper.from_array(np.array(1.5, dtype=np.float32), "scale"),
    ]
    graph = helper.make_graph(
        nodes,
        "fairscope_kernel",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        initializer=inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="fairscope")
    onnx.checker.check_model(m, full_check=True)
    return m


def main() -> None:
    x = np.array([[1, -2], [3, -4], [-5, 6], [7, 8]], dtype=np.float32)
    xt = x.T
    s = xt[:, -1:-4:-1]  # columns 3, 2, 1
    y = np.where(s > 0, s, 0.25 * s) * 1.5
    out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "train", "onnx-model.json")
    data = {
        "source": "tools/onnx_model_reference.py (onnx " + onnx.__version__ + ", onnx.helper.make_model)",
        "bytes": model().SerializeToString().hex(),
        "x": x.flatten().tolist(),
        "y": y.flatten().tolist(),
    }
    with open(out, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
