"""Fit the statistics+LDA baseline and export the single merged ONNX file.

usage:
  python3 build.py lda                       # fit .work/lda.npz from the feature bank
  python3 build.py export --lda .work/lda.npz [--net .work/net.pt --w-net 0.7] --out ../../models/mira-speaker-v1.onnx
The exported graph: waveform f32[1,N] -> ONNX STFT front end (frontend_onnx.py) -> backend
(torch-exported: CMN + network and/or stats+LDA, score fusion by weighted concatenation,
L2 normalisation) -> embedding f32[1,D].
"""
import os
import sys
import argparse
import numpy as np
import scipy.linalg
import torch
import onnx
from onnx import compose

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C
import frontend_onnx
from model import SpeakerNet, LDABackend, Embedder, stats_features

LDA_DIM = 150


def fit_lda(out, crops_per_copy=6, mode="plain", dim=LDA_DIM):
    rng = np.random.RandomState(C.SEED)
    bank = np.load(os.path.join(C.WORK, "bank.npy"), mmap_mode="r")
    idx = np.load(os.path.join(C.WORK, "bank_idx.npy"))
    X, y = [], []
    for cls, st, ln, k in idx:
        for _ in range(crops_per_copy):
            T = rng.randint(200, 401)
            if ln <= T:
                seg = bank[st:st + ln]
            else:
                o = rng.randint(0, ln - T + 1)
                seg = bank[st + o:st + o + T]
            X.append(np.asarray(seg, np.float32))
            y.append(cls)
    feats = []
    with torch.no_grad():
        for i in range(0, len(X), 256):
            for x in X[i:i + 256]:
                feats.append(stats_features(torch.from_numpy(x)[None], mode).numpy()[0])
    F = np.array(feats, np.float64)
    y = np.array(y)
    mu = F.mean(0)
    Fc = F - mu
    classes = np.unique(y)
    means = np.stack([Fc[y == c].mean(0) for c in classes])
    Sw = np.zeros((F.shape[1],) * 2)
    for j, c in enumerate(classes):
        d = Fc[y == c] - means[j]
        Sw += d.T @ d
    Sw /= len(F)
    Sb = (means.T @ means) / len(classes)
    Sw += 1e-4 * np.trace(Sw) / len(Sw) * np.eye(len(Sw))
    w, V = scipy.linalg.eigh(Sb, Sw)
    order = np.argsort(-w)[:dim]
    W = V[:, order]
    np.savez(out, mean=mu.astype(np.float32), W=W.astype(np.float32), mode=np.array(mode))
    print(f"LDA ({mode}): {len(F)} segments, {len(classes)} classes, dim {F.shape[1]} -> {dim}", flush=True)


def make_embedder(net_path=None, lda_path=None, w_net=1.0):
    net = lda = None
    if net_path:
        ck = torch.load(net_path, map_location="cpu")
        net = SpeakerNet(**ck["cfg"])
        net.load_state_dict(ck["state"])
        net.eval()
    if lda_path:
        z = np.load(lda_path)
        lda = LDABackend(z["mean"], z["W"], str(z["mode"]) if "mode" in z else "plain")
    return Embedder(net, lda, w_net).eval()


def fp16_weights(model, min_elems=1024):
    """Store large float32 initializers as float16 + a Cast back to float32 (halves the file;
    compute stays float32). Keeps the committed file under the repo's 5 MB limit."""
    g = model.graph
    casts, keep = [], []
    for init in g.initializer:
        arr = onnx.numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= min_elems and not init.name.startswith("fe_"):
            h = onnx.numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
            keep.append(h)
            casts.append(onnx.helper.make_node("Cast", [h.name], [init.name], to=onnx.TensorProto.FLOAT))
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    return model


def export(emb, out, tmp, name="mira_speaker"):
    x = torch.from_numpy(C.logmel(np.random.RandomState(0).randn(48000).astype(np.float32) * 0.1))[None]
    torch.onnx.export(emb, (x,), tmp, input_names=["logmel"], output_names=["embedding"],
                      dynamic_axes={"logmel": {1: "T"}}, opset_version=17, do_constant_folding=True)
    back = onnx.load(tmp)
    # front-end names all start with "fe_", torch-exported names never do: no clash
    front = frontend_onnx.build("logmel")
    back.ir_version = front.ir_version
    merged = compose.merge_models(front, back, io_map=[("logmel", "logmel")], producer_name="mira-speaker")
    merged.graph.name = name
    merged = fp16_weights(merged)
    onnx.checker.check_model(merged)
    onnx.save(merged, out)
    return merged


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["lda", "export"])
    ap.add_argument("--lda")
    ap.add_argument("--net")
    ap.add_argument("--w-net", type=float, default=1.0)
    ap.add_argument("--out")
    ap.add_argument("--mode", default="plain", choices=["plain", "energy", "both"])
    ap.add_argument("--dim", type=int, default=LDA_DIM)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.cmd == "lda":
        fit_lda(a.out or os.path.join(C.WORK, "lda.npz"), mode=a.mode, dim=a.dim)
    else:
        emb = make_embedder(a.net, a.lda, a.w_net)
        name = os.path.splitext(os.path.basename(a.out))[0].replace("-", "_")
        m = export(emb, a.out, os.path.join(C.WORK, "backend.onnx"), name)
        d = m.graph.output[0].type.tensor_type.shape.dim
        print("exported", a.out, os.path.getsize(a.out), "bytes; output dims",
              [x.dim_value or x.dim_param for x in d])


if __name__ == "__main__":
    main()
