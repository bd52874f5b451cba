#!/usr/bin/python3
"""Writes test/fixtures/indicators/gemm-onnx.json: the bytes (hex) that onnx.helper serializes for the
Gemm and Gemm+TopK models of src/linalg/onnx-gemm-model.ts, and checks them with onnx.checker.

Run with Debian's Python (has onnx 1.12):  /usr/bin/python3 tools/make_gemm_onnx.py
"""
import json
import os

import onnx
from onnx import TensorProto, helper


def gemm_model(trans_b: bool) -> bytes:
    attrs = {"transB": 1} if trans_b else {}
    node = helper.make_node("Gemm", ["A", "B"], ["Y"], name="gemm", **attrs)
    graph = helper.make_graph(
        [node],
        "fairscope_gemm",
        [
            helper.make_tensor_value_info("A", TensorProto.FLOAT, ["m", "k"]),
            helper.make_tensor_value_info("B", TensorProto.FLOAT, ["n", "k"] if trans_b else ["k", "n"]),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["m", "n"])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8, producer_name="fairscope"
    )
    onnx.checker.check_model(model)
    return model.SerializeToString()


def gemm_topk_model() -> bytes:
    gemm = helper.make_node("Gemm", ["A", "B"], ["Y"], name="gemm", transB=1)
    topk = helper.make_node("TopK", ["Y", "K"], ["values", "indices"], name="topk")
    graph = helper.make_graph(
        [gemm, topk],
        "fairscope_gemm_topk",
        [
            helper.make_tensor_value_info("A", TensorProto.FLOAT, ["m", "k"]),
            helper.make_tensor_value_info("B", TensorProto.FLOAT, ["n", "k"]),
            helper.make_tensor_value_info("K", TensorProto.INT64, [1]),
        ],
        [
            helper.make_tensor_value_info("values", TensorProto.FLOAT, ["m", "top"]),
            helper.make_tensor_value_info("indices", TensorProto.INT64, ["m", "top"]),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8, producer_name="fairscope"
    )
    onnx.checker.check_model(model)
    return model.SerializeToString()


def main() -> None:
    out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "indicators", "gemm-onnx.json")
    data = {
        "source": "tools/make_gemm_onnx.py (onnx " + onnx.__version__ + ", onnx.helper.make_model)",
        "transB": gemm_model(True).hex(),
        "plain": gemm_model(False).hex(),
        "topK": gemm_topk_model().hex(),
    }
    with open(out, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
