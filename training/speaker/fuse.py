"""Choose the in-graph fusion weight on the DEV split (held-out train-clean-100 speakers).

usage: python3 fuse.py .work/net.pt .work/lda.npz
Embeds every evaluation waveform once with the torch network and with the LDA
backend, then scores weighted concatenations for several weights.  The weight is
picked on dev-split EER averaged over conditions and both dev splits (LibriSpeech and speechocean762; never on
test-other-dev).
"""
import os
import sys
import json
import hashlib
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C
import build
import eval as E


def main():
    torch.set_num_threads(1)
    net = build.make_embedder(sys.argv[1], None).eval()
    lda = build.make_embedder(None, sys.argv[2]).eval()
    cache = {}

    def base(w):
        k = hashlib.sha1(np.asarray(w, np.float32).tobytes()).hexdigest()
        if k not in cache:
            with torch.no_grad():
                lm = torch.from_numpy(C.logmel(w))[None]
                cache[k] = (net(lm).numpy()[0], lda(lm).numpy()[0])
        return cache[k]

    out = {}
    conds = ["clean5", "clean2", "white5", "pink5", "babble5", "tel8k", "crop1"]
    weights = [float(x) for x in os.environ.get("FUSE_WEIGHTS", "1.0,0.8,0.6,0.5,0.4,0.3,0.0").split(",")]
    for wn in weights:
        def embed(ws, wn=wn):
            return np.stack([np.concatenate([np.sqrt(wn) * a, np.sqrt(1 - wn) * b]) for a, b in map(base, ws)])
        res = E.evaluate(embed, conds)
        dev = E.dev_mean_eer(res, conds)
        ev = np.mean([res["eval"][c]["eer"] for c in conds])
        out[wn] = {"dev_mean_eer": dev, "eval_mean_eer": ev}
        print(f"w_net={wn}: dev mean EER {100*dev:.2f}%  (eval mean EER {100*ev:.2f}%)", flush=True)
        print(E.table(res, f"w_net={wn}"), flush=True)
    best = min(out, key=lambda k: out[k]["dev_mean_eer"])
    print("best w_net on dev:", best)
    json.dump({"weights": out, "best": best}, open(os.path.join(C.WORK, "fuse.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
