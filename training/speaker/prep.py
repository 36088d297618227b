"""Build the augmented training feature bank from the allowed sources.

Classes: 221 train-clean-100 speakers (30 more are held out, see common.libri_split)
plus 3 Debian asterisk speakers (Allison en+es, Menardi, IvrvoiceRU; June and Carlo
are held out), each at speed 0.9 / 1.0 / 1.1 -- speed copies are NEW classes.
Each class waveform gets several augmented copies (clean, additive white/pink/
brown/babble noise at 0-20 dB SNR, synthetic reverb, 8 kHz telephone band with
mu-law, combinations).  Raw log-mel (common.logmel) of every copy is stored as
float16 with an index; training crops 2-4 s windows from it at random.

Never touches librispeech/test-other-dev.
"""
import os
import sys
import time
import json
import numpy as np
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C

N_DEBIAN_PROMPTS = 160
SPEEDS = [1.0, 0.9, 1.1]
_POOL = None


def _init(pool):
    global _POOL
    _POOL = pool


def make_copies(args):
    cls, x, seed = args
    rng = np.random.RandomState(seed)
    pool = _POOL
    outs = []
    snr = lambda: rng.uniform(0, 20)
    outs.append(x)
    outs.append(C.add_noise(x, C.random_noise(len(x), rng, pool), snr()))
    outs.append(C.add_noise(x, C.random_noise(len(x), rng, pool), snr()))
    outs.append(C.reverb(x, rng))
    outs.append(C.add_noise(C.reverb(x, rng), C.random_noise(len(x), rng, pool), snr()))
    outs.append(C.telephone(x, rng))
    outs.append(C.telephone(C.add_noise(x, C.random_noise(len(x), rng, pool), rng.uniform(5, 25)), rng))
    feats = []
    for y in outs:
        y = y * rng.uniform(0.05, 0.9) / (np.max(np.abs(y)) + 1e-9)  # random level
        feats.append(C.logmel(y).astype(np.float16))
    return cls, feats


def main():
    t0 = time.time()
    os.makedirs(C.WORK, exist_ok=True)
    train_files, held = C.libri_split()
    base = []  # (name, waveform)
    for f in train_files:
        base.append(("libri-" + os.path.basename(f).split("-")[0], C.load(f)))
    babble_pool = [w for _, w in base]
    rng = np.random.RandomState(C.SEED)
    for name, dirs in C.DEBIAN_TRAIN.items():
        files = C.debian_files(dirs)
        sel = rng.choice(len(files), min(N_DEBIAN_PROMPTS, len(files)), replace=False)
        parts = []
        for i in sorted(sel):
            w = C.trim_silence(C.load(files[i]))
            parts += [w, np.zeros(1600, np.float32)]
        base.append(("debian-" + name, np.concatenate(parts)))
    print(f"loaded {len(base)} base speakers in {time.time()-t0:.1f}s", flush=True)

    jobs, names = [], []
    for s in SPEEDS:
        for name, w in base:
            cls = len(names)
            names.append(f"{name}@{s}")
            jobs.append((cls, C.speed(w, s), C.SEED * 1000 + cls))
    nthreads = int(os.environ.get("PREP_PROCS", "2"))
    with Pool(nthreads, initializer=_init, initargs=(babble_pool,)) as p:
        res = p.map(make_copies, jobs, chunksize=4)
    res.sort(key=lambda r: r[0])
    idx, chunks, pos = [], [], 0
    for cls, feats in res:
        for k, f in enumerate(feats):
            idx.append((cls, pos, len(f), k))
            chunks.append(f)
            pos += len(f)
    bank = np.concatenate(chunks)
    np.save(os.path.join(C.WORK, "bank.npy"), bank)
    np.save(os.path.join(C.WORK, "bank_idx.npy"), np.array(idx, dtype=np.int64))
    with open(os.path.join(C.WORK, "classes.json"), "w") as fh:
        json.dump({"classes": names, "heldout_libri": [os.path.basename(f) for f in held]}, fh, indent=1)
    print(f"bank {bank.shape} ({bank.nbytes/1e6:.0f} MB), {len(names)} classes, {len(idx)} copies, "
          f"{time.time()-t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
