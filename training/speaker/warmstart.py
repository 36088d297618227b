"""Start a network from a trained model's ONNX file (its network branch), so a new model fine-tunes instead of
training from nothing: the machine this is built on has a share of two cores, and the previous model already knows
what a voice is.

usage: python3 warmstart.py ../../models/mira-speaker-v1.onnx .work/init.pt
Reads the network weights out of the exported graph (stored as float16; the exporter folded each convolution's batch
norm into the convolution's weight and bias), rebuilds `model.SpeakerNet` and sets each folded batch norm so that,
in training mode on batches of the feature bank, it passes the convolution's output through with the folded bias
(scale = the batch's standard deviation, shift = the batch's mean plus the bias). Writes a train.py checkpoint
(`--init`), whose classification head train.py initialises from class-mean embeddings.
"""
import os
import sys
import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C
from model import SpeakerNet


def weights(path):
    out = {}
    for init in onnx.load(path).graph.initializer:
        name = init.name[:-len("__fp16")] if init.name.endswith("__fp16") else init.name
        out[name] = numpy_helper.to_array(init).astype(np.float32)
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    w = weights(src)
    net = SpeakerNet()
    convs = [net.conv0] + [c for b in net.blocks for c in (b.c1, b.c2)] + [net.mfa]
    norms = [net.bn0] + [n for b in net.blocks for n in (b.b1, b.b2)] + [net.bnm]
    folded = sorted((k for k in w if k.startswith("onnx::Conv_")), key=lambda k: int(k.split("_")[-1]))
    pairs = [(folded[i], folded[i + 1]) for i in range(0, len(folded), 2)]
    assert len(pairs) == len(convs), (len(pairs), len(convs))
    for conv, (wk, bk) in zip(convs, pairs):
        assert tuple(w[wk].shape) == tuple(conv.weight.shape), (wk, w[wk].shape, conv.weight.shape)
    state = net.state_dict()
    for name in ("att1.weight", "att1.bias", "att2.weight", "att2.bias", "fc.weight", "fc.bias"):
        state[name] = torch.from_numpy(w["net." + name])
    for bn in ("bnp", "bne"):
        for p in ("weight", "bias", "running_mean", "running_var"):
            state[f"{bn}.{p}"] = torch.from_numpy(w[f"net.{bn}.{p}"])
    net.load_state_dict(state)
    for conv, (wk, _) in zip(convs, pairs):
        conv.weight.data.copy_(torch.from_numpy(w[wk]))
    biases = [torch.from_numpy(w[bk]) for _, bk in pairs]

    # batches of the feature bank, as training sees them (CMN inside the network)
    rng = np.random.RandomState(C.SEED)
    bank = np.load(os.path.join(C.WORK, "bank.npy"), mmap_mode="r")
    idx = np.load(os.path.join(C.WORK, "bank_idx.npy"))
    rows = idx[rng.choice(len(idx), 256, replace=False)]
    X = np.stack([np.asarray(bank[st:st + 200], np.float32) for _, st, ln, _ in rows if ln >= 200][:128])
    x = torch.from_numpy(X)
    # each folded norm in turn: measure its convolution's raw output in training mode, then set scale and shift
    with torch.no_grad():
        for bn, bias in zip(norms, biases):
            captured = {}
            handle = bn.register_forward_hook(lambda m, i, o, c=captured: c.setdefault("x", i[0]))
            net.train()
            net(x)
            handle.remove()
            raw = captured["x"]
            mean = raw.mean(dim=(0, 2))
            var = raw.var(dim=(0, 2), unbiased=False)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + bias)
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)
    torch.save({"cfg": dict(c=256, c_out=384, emb=192), "state": net.state_dict(), "steps": 0,
                "from": os.path.basename(src)}, dst)
    print(f"network of {os.path.basename(src)} -> {dst}", flush=True)


if __name__ == "__main__":
    main()
