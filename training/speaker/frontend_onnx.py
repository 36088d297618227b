"""ONNX (opset 17) feature front end, authored with the onnx helper API.

waveform f32[1, N] -> logmel f32[1, T, 64], T = 1 + (N - 512) // 160,
identical to common.logmel (STFT op, constant mel matrix, log(x + 1e-6)).
"""
import os
import sys
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C

OPSET = 17


def build(out_name="logmel"):
    inits = [
        numpy_helper.from_array(np.array([2], np.int64), "fe_axis2"),
        numpy_helper.from_array(np.array(C.HOP, np.int64), "fe_hop"),
        numpy_helper.from_array(np.array(C.N_FFT, np.int64), "fe_nfft"),
        numpy_helper.from_array(C.window(), "fe_window"),
        numpy_helper.from_array(np.array([-1], np.int64), "fe_lastaxis"),
        numpy_helper.from_array(C.mel_matrix(), "fe_mel"),
        numpy_helper.from_array(np.array(C.LOG_EPS, np.float32), "fe_eps"),
    ]
    nodes = [
        helper.make_node("Unsqueeze", ["waveform", "fe_axis2"], ["fe_sig"]),
        helper.make_node("STFT", ["fe_sig", "fe_hop", "fe_window", "fe_nfft"], ["fe_spec"], onesided=1),
        helper.make_node("Mul", ["fe_spec", "fe_spec"], ["fe_sq"]),
        helper.make_node("ReduceSum", ["fe_sq", "fe_lastaxis"], ["fe_pow"], keepdims=0),
        helper.make_node("MatMul", ["fe_pow", "fe_mel"], ["fe_melp"]),
        helper.make_node("Add", ["fe_melp", "fe_eps"], ["fe_melpe"]),
        helper.make_node("Log", ["fe_melpe"], [out_name]),
    ]
    g = helper.make_graph(
        nodes, "mira_speaker_frontend",
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, [1, "N"])],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [1, "T", C.N_MELS])],
        initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mira-speaker")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


if __name__ == "__main__":
    import ortnode
    m = build()
    p = os.path.join(C.WORK, "frontend.onnx")
    os.makedirs(C.WORK, exist_ok=True)
    onnx.save(m, p)
    rng = np.random.RandomState(0)
    tr, _ = C.libri_split()
    waves = [C.load(tr[0])[:n] for n in (8000, 32000, 160000)] + [0.3 * rng.randn(12345).astype(np.float32)]
    outs = ortnode.run(p, waves, out="logmel")
    for w, o in zip(waves, outs):
        ref = C.logmel(w)
        print(len(w), o.shape, ref.shape, "max abs diff", float(np.abs(o[0] - ref).max()))
