#!/usr/bin/python3
"""Trains the small MLP that ships in configs/models/ and exports it for tinyforge.

Data: the 8x8 handwritten digits set bundled with Debian's python3-sklearn (1797 images, 64 pixels of 0..16;
scaled to [0, 1]). Model: 64 -> 32 (relu) -> 10 (softmax), sklearn MLPClassifier, seed 0.
Writes (committed, so tinyforge never needs Python at run time):
  configs/models/digits_mlp.onnx            ONNX opset 13: Gemm + Relu, then MatMul + Add, then Softmax
  configs/models/digits_mlp_test.json       the held-out test set: inputs, float outputs, labels
  configs/models/digits_mlp_precision.json  fixed-point precision for `tinyforge hls --precision`
Writes them elsewhere with --out DIR (an installed copy of this script should not overwrite its package's files).
Needs: apt-get install python3-sklearn python3-onnx
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "models")


def write_atomic(path, data, binary=False):
    tmp = path + ".tmp"
    with open(tmp, "wb" if binary else "w") as f:
        f.write(data)
    os.replace(tmp, path)


def digits_split():
    """The 8x8 digits set scaled to [0, 1], split 80/20 (stratified, seed 0): x_train, x_test, y_train, y_test."""
    digits = load_digits()
    x = digits.data.astype(np.float64) / 16.0
    return train_test_split(x, digits.target, test_size=0.2, random_state=0, stratify=digits.target)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def export_onnx(w1, b1, w2, b2, path, producer, doc=""):
    """The 64-H-10 MLP as ONNX opset 13: Gemm + Relu, then MatMul + Add, then Softmax (float32 weights)."""
    hidden = np.asarray(w1).shape[1]
    nodes = [
        helper.make_node("Gemm", ["input", "fc1_w", "fc1_b"], ["fc1"], name="fc1"),
        helper.make_node("Relu", ["fc1"], ["fc1_relu"], name="fc1_relu"),
        helper.make_node("MatMul", ["fc1_relu", "fc2_w"], ["fc2_mm"], name="fc2"),
        helper.make_node("Add", ["fc2_mm", "fc2_b"], ["fc2"], name="fc2_add"),
        helper.make_node("Softmax", ["fc2"], ["probabilities"], name="softmax", axis=1),
    ]
    inits = [numpy_helper.from_array(f32(w1), "fc1_w"), numpy_helper.from_array(f32(b1), "fc1_b"),
             numpy_helper.from_array(f32(w2), "fc2_w"), numpy_helper.from_array(f32(b2), "fc2_b")]
    graph = helper.make_graph(nodes, "digits_mlp",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", 13)])
    if doc:
        model.doc_string = doc
    onnx.checker.check_model(model)
    write_atomic(path, model.SerializeToString(), binary=True)
    return hidden


def float_reference(w1, b1, w2, b2, x_test, y_test):
    """Softmax outputs and accuracy with the float32 weights an ONNX file holds, in float64 arithmetic."""
    h = np.maximum(x_test @ f32(w1).astype(np.float64) + f32(b1), 0)
    z = h @ f32(w2).astype(np.float64) + f32(b2)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p, float((p.argmax(axis=1) == y_test).mean())


def write_test_vectors(path, p, acc, x_test, y_test, name):
    vectors = {"description": "digits test set (20%%, stratified, seed 0): inputs scaled to [0, 1], float outputs "
                              "of %s, labels; float accuracy %.4f" % (name, acc),
               "inputs": x_test.round(6).tolist(), "outputs": p.round(8).tolist(), "labels": y_test.tolist()}
    write_atomic(path, json.dumps(vectors) + "\n")


def main():
    ap = argparse.ArgumentParser(description="Trains the 8x8-digits MLP and writes it for tinyforge.")
    ap.add_argument("--out", default=OUT, metavar="DIR", help="output directory (default: configs/models beside "
                    "this script's folder)")
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    x_train, x_test, y_train, y_test = digits_split()
    clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", max_iter=600, random_state=0)
    clf.fit(x_train, y_train)
    w1, w2 = clf.coefs_
    b1, b2 = clf.intercepts_
    export_onnx(w1, b1, w2, b2, os.path.join(out, "digits_mlp.onnx"), "tinyforge make_digits_mlp.py")
    p, acc = float_reference(w1, b1, w2, b2, x_test, y_test)
    write_test_vectors(os.path.join(out, "digits_mlp_test.json"), p, acc, x_test, y_test, "digits_mlp.onnx")
    precision = {
        "description": "Precision of digits_mlp.onnx for tinyforge hls: inputs k/16 fit ufixed<6,1>; weights "
                       "and biases 10 bits; 24-bit accumulators.",
        "input": "ufixed<6,1>",
        "default": {"weight": "fixed<10,3,RND,SAT>", "bias": "fixed<10,3,RND,SAT>", "accum": "fixed<24,10,RND,SAT>",
                    "result": "fixed<16,6,RND,SAT>"},
        "layers": {"softmax": {"result": "ufixed<16,0,RND,SAT>"}},
    }
    write_atomic(os.path.join(out, "digits_mlp_precision.json"), json.dumps(precision, indent=1) + "\n")
    print("float test accuracy %.4f on %d images; wrote %s" % (acc, len(y_test), os.path.normpath(out)))


if __name__ == "__main__":
    main()
