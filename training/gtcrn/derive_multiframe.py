#!/usr/bin/python3
"""Derive GTCRN's multi-frame streaming graph from the upstream one-frame streaming export.

Upstream `gtcrn_simple.onnx` runs one STFT frame per call. Its 415 nodes are tiny, so a call costs ~1.2 ms of
per-node dispatch on one core whatever the arithmetic (about 0.07 of real time for 16 ms frames). This script
rewrites the few places where the export baked "one frame" into constants, so the same weights take T frames per
call with the same caches in and out. Nothing is retrained; the output equals running the upstream graph frame by
frame (checked by libs/audio/src/denoise/denoise.spec.ts on real speech).

The edits (all other nodes are already time-agnostic: convolutions read their cache concatenated in front of the
input, GRUs run over the time axis, LayerNorms act per frame):
  1. subband feature extraction (unfold): Gather(time, [[0]]) -> Unsqueeze, and its Transpose keeps time in place;
  2. Reshapes whose target shape carries the literal frame count 1 get -1 there;
  3. convolution cache updates keep the LAST k frames of [cache, input] (Slice start -k) instead of dropping the first;
  4. the intra-frame GRUs' zero initial state, shaped for batch 1 (= one frame), is left to the GRU default (zeros);
  5. `mix` / `enh` get a symbolic frame dimension.

Usage: /usr/bin/python3 training/gtcrn/derive_multiframe.py UPSTREAM.onnx OUT.onnx
(npm run models:derive-gtcrn does this with the file from the model directory / mirror.)
"""
import hashlib
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

UPSTREAM_SHA256 = "b4718df6228e7bdf1a8a435cf98f838636eb2fd331acabf86ba87c5192ebcb87"
FRAMES = "frames"
# Reshape targets with the frame count baked in as 1 -> the same target with -1 in the time position
RESHAPE_FIXES = {
    (1, 9, 1, 129): (1, 9, -1, 129),  # subband features of the encoder input
    (1, 24, 1, 33): (1, 24, -1, 33),  # subband features inside each gated temporal conv block
    (1, -1, 1, 33): (1, 16, -1, 33),  # channel shuffle
    (1, 33, 16): (-1, 33, 16),  # intra-frame RNN input of the first DPGRNN (batch = frames)
}


def main(src: str, dst: str) -> None:
    data = open(src, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != UPSTREAM_SHA256:
        sys.exit(f"{src}: sha256 {digest} is not the pinned upstream file {UPSTREAM_SHA256}")
    model = onnx.load_from_string(data)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def const(name: str):
        return numpy_helper.to_array(inits[name]) if name in inits else None

    def add_const(name: str, value: np.ndarray) -> str:
        graph.initializer.append(numpy_helper.from_array(value, name))
        inits[name] = graph.initializer[-1]
        return name

    counts = {"unfold": 0, "reshape": 0, "cache_slice": 0, "initial_h": 0}
    new_nodes = []
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        # 1. unfold along time with kernel 1: Gather(axis 2, [[0]]) == Unsqueeze(axis 3) for any frame count
        if node.op_type == "Gather" and attrs.get("axis") == 2:
            idx = const(node.input[1])
            if idx is not None and idx.shape == (1, 1) and int(idx[0, 0]) == 0:
                new_nodes.append(helper.make_node("Unsqueeze", [node.input[0]], list(node.output), axes=[3]))
                counts["unfold"] += 1
                continue
        # ... and its Transpose (B,C,T,kh,kw,F) -> (B,C,kw,kh,T,F), so the Reshape to (B,C*kw,T,F) keeps time
        if node.op_type == "Transpose" and list(attrs.get("perm", [])) == [0, 1, 2, 4, 3, 5]:
            del node.attribute[:]
            node.attribute.append(helper.make_attribute("perm", [0, 1, 4, 3, 2, 5]))
        # 2. Reshape targets carrying the frame count
        if node.op_type == "Reshape":
            target = const(node.input[1])
            if target is not None and tuple(int(v) for v in target) in RESHAPE_FIXES:
                name = f"{node.input[1]}_frames"
                if name not in inits:
                    add_const(name, np.array(RESHAPE_FIXES[tuple(int(v) for v in target)], dtype=np.int64))
                node.input[1] = name
                counts["reshape"] += 1
        # 3. cache update: [cache(k), x(T)][1:] -> [..][-k:]; k read from the ScatterND that stores it
        if node.op_type == "Slice" and len(node.input) >= 4:
            starts, ends, axes = (const(n) for n in node.input[1:4])
            if (
                starts is not None and axes is not None and ends is not None
                and starts.tolist() == [1] and axes.tolist() == [2] and int(ends[0]) > 2**62
            ):
                stores = [c for c in consumers.get(node.output[0], []) if c.op_type == "ScatterND"]
                if len(stores) == 1:
                    k = const(stores[0].input[1]).shape[2]
                    node.input[1] = add_const(f"cache_keep_last_{node.output[0]}", np.array([-k], dtype=np.int64))
                    counts["cache_slice"] += 1
        # 4. zero initial state shaped [dirs, 1, hidden] for a GRU whose batch is the frame count
        if node.op_type == "GRU" and len(node.input) >= 6 and node.input[5] in inits:
            if not np.any(const(node.input[5])):
                node.input[5] = ""
                counts["initial_h"] += 1
        new_nodes.append(node)
    del graph.node[:]
    graph.node.extend(new_nodes)

    # 5. symbolic frame axis on the spectrum in and out; drop shape annotations that assumed one frame
    for value in list(graph.input) + list(graph.output):
        if value.name in ("mix", "enh"):
            value.type.tensor_type.shape.dim[2].ClearField("dim_value")
            value.type.tensor_type.shape.dim[2].dim_param = FRAMES
    del graph.value_info[:]
    used = {n for node in graph.node for n in node.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)

    expected = {"unfold": 7, "reshape": 14, "cache_slice": 6, "initial_h": 4}
    if counts != expected:
        sys.exit(f"unexpected graph: edits {counts}, expected {expected}; is this the pinned upstream file?")
    model.doc_string = (
        "GTCRN (Rong et al., ICASSP 2024; MIT licence, github.com/Xiaobin-Rong/gtcrn) streaming export "
        f"gtcrn_simple.onnx sha256 {UPSTREAM_SHA256}, rewritten by Mira's training/gtcrn/derive_multiframe.py "
        "to take any number of STFT frames per call with the same caches. Weights unchanged."
    )
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"{dst}: {counts}; sha256 {hashlib.sha256(open(dst, 'rb').read()).hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
