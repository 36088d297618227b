"""Train the compact speaker network with AAM-softmax on the augmented feature bank.

usage: python3 train.py [--steps 6000] [--batch 128] [--threads 1] [--crop 100 300] [--max-minutes M]
Writes .work/net.pt (state dict + config).  Seeded; the learning-rate schedule follows the step count only, so the
run is the same on a busy or a quiet machine (deterministic for a fixed thread count). --max-minutes is an optional
wall-clock bound that also anneals the schedule; a run it ends early depends on machine load (reported in the log).
"""
import os
import sys
import time
import json
import math
import argparse
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C
from model import SpeakerNet, AAMSoftmax


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--crop", type=int, nargs=2, default=[100, 300], help="crop length range in frames (10 ms)")
    ap.add_argument("--max-minutes", type=float, default=None)
    ap.add_argument("--out", default=os.path.join(C.WORK, "net.pt"))
    ap.add_argument("--init", help="continue from a checkpoint (network + AAM head), new LR cycle")
    ap.add_argument("--seed-offset", type=int, default=0)
    ap.add_argument("--resume", action="store_true",
                    help="continue an interrupted run from OUT.resume (same arguments; the result is the same)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(C.SEED + a.seed_offset)
    rng = np.random.RandomState(C.SEED + a.seed_offset)

    bank = np.load(os.path.join(C.WORK, "bank.npy"), mmap_mode="r")
    bank = np.ascontiguousarray(bank)
    idx = np.load(os.path.join(C.WORK, "bank_idx.npy"))
    n_cls = int(idx[:, 0].max()) + 1
    by_cls = [np.where(idx[:, 0] == c)[0] for c in range(n_cls)]
    print(f"bank {bank.shape}, {n_cls} classes, {len(idx)} copies", flush=True)

    cfg = dict(c=256, c_out=384, emb=192)
    net = SpeakerNet(**cfg)
    head = AAMSoftmax(cfg["emb"], n_cls, m=0.2, s=30.0)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        net.load_state_dict(ck["state"])
        if "head" in ck:
            head.load_state_dict(ck["head"])
        else:  # initialise the AAM class centres from class-mean embeddings
            net.eval()
            W = torch.zeros(n_cls, cfg["emb"])
            with torch.no_grad():
                for c in range(n_cls):
                    segs = []
                    for j in by_cls[c][:4]:
                        st, ln = int(idx[j, 1]), int(idx[j, 2])
                        o = rng.randint(0, max(1, ln - 250))
                        segs.append(np.asarray(bank[st + o:st + o + 250], np.float32))
                    T = min(len(x) for x in segs)
                    e = net(torch.from_numpy(np.stack([x[:T] for x in segs])))
                    W[c] = torch.nn.functional.normalize(e, dim=1).mean(0)
            head.W.data.copy_(W)
            net.train()
        print(f"initialised from {a.init} ({ck['steps']} steps)", flush=True)
    n_par = sum(p.numel() for p in net.parameters())
    print(f"params (exported net): {n_par}", flush=True)
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=5e-5)

    def progress(s):
        # schedule follows the larger of step progress and wall-clock progress, so a run
        # bounded by --max-minutes still anneals fully (then the step count is logged).
        if a.max_minutes is None:
            return s / a.steps
        return max(s / a.steps, (time.time() - t0) / 60 / a.max_minutes)

    def lr_at(p):
        if p < 0.05:
            return a.lr * max(p, 0.002) / 0.05
        q = (p - 0.05) / 0.95
        return 1e-5 + 0.5 * (a.lr - 1e-5) * (1 + math.cos(math.pi * min(1.0, q)))

    def crop(c, T):
        """T frames of class c: a window of one copy, or, when its copies are short utterances, copies of the
        class joined until T frames (as the product joins the speech segments the VAD finds)."""
        parts, have = [], 0
        while have < T:
            r = idx[by_cls[c][rng.randint(len(by_cls[c]))]]
            st, ln = int(r[1]), int(r[2])
            n = min(ln, T - have)
            o = rng.randint(0, ln - n + 1)
            parts.append(bank[st + o:st + o + n])
            have += n
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def batch():
        T = rng.randint(a.crop[0], a.crop[1] + 1)
        X = np.empty((a.batch, T, C.N_MELS), np.float32)
        y = rng.randint(0, n_cls, a.batch)
        for i, c in enumerate(y):
            X[i] = crop(c, T)
            # SpecAugment-style masks (frequency + time)
            if rng.rand() < 0.5:
                f0, fw = rng.randint(0, C.N_MELS - 8), rng.randint(1, 8)
                X[i, :, f0:f0 + fw] = X[i].mean()
            if rng.rand() < 0.5:
                t0, tw = rng.randint(0, T - 20), rng.randint(5, 20)
                X[i, t0:t0 + tw, :] = X[i].mean(0)
        return torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))

    net.train()
    head.train()
    la, aa = [], []
    t0 = time.time()
    done = 0
    start = 0
    resume_file = a.out + ".resume"
    if a.resume and os.path.exists(resume_file):
        ck = torch.load(resume_file, map_location="cpu")
        net.load_state_dict(ck["state"])
        head.load_state_dict(ck["head"])
        opt.load_state_dict(ck["opt"])
        rng.set_state(ck["numpy_rng"])
        torch.set_rng_state(ck["torch_rng"])
        start = done = ck["steps"]
        print(f"resumed at step {start}", flush=True)

    def checkpoint():
        torch.save({"cfg": cfg, "state": net.state_dict(), "head": head.state_dict(), "steps": done}, a.out)
        torch.save({"cfg": cfg, "state": net.state_dict(), "head": head.state_dict(), "opt": opt.state_dict(),
                    "numpy_rng": rng.get_state(), "torch_rng": torch.get_rng_state(), "steps": done}, resume_file)

    for s in range(start, a.steps):
        p = progress(s)
        if p >= 1.0:
            print(f"schedule complete (wall-clock bound) at step {s}", flush=True)
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(p)
        m = 0.2 if a.init else 0.2 * min(1.0, p / 0.2)  # margin warm-up
        X, y = batch()
        loss, acc = head(net(X), y, m=m)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        la.append(loss.item())
        aa.append(acc.item())
        done = s + 1
        if done % 50 == 0:
            el = (time.time() - t0) / 60
            print(f"step {done}/{a.steps} loss {np.mean(la[-50:]):.3f} acc {np.mean(aa[-50:]):.3f} "
                  f"lr {lr_at(p):.2e} m {m:.2f} {el:.1f} min", flush=True)
        if done % 250 == 0:
            checkpoint()
    checkpoint()
    info = {"steps": done, "minutes": (time.time() - t0) / 60, "params": n_par, "seed": C.SEED,
            "batch": a.batch, "threads": a.threads, "crop_frames": a.crop, "classes": n_cls, "final_loss": float(np.mean(la[-50:])),
            "final_train_acc": float(np.mean(aa[-50:]))}
    with open(os.path.join(C.WORK, "train_info.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    print(json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
