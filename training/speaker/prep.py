"""Build the augmented training feature bank from the allowed sources.

Classes (each at speed 0.9 / 1.0 / 1.1; speed copies are NEW classes):
- 221 LibriSpeech train-clean-100 speakers, one ~10-15 s utterance each (30 more are the dev split,
  common.libri_split);
- 180 speechocean762 speakers, 20 short utterances each (125 train/ + 55 test/; the other 70 test/ speakers are the
  dev split, common.speechocean_split), read from SPEECHOCEAN_DIR;
- 3 Debian asterisk voices (Allison en+es, Menardi, IvrvoiceRU; June and Carlo are held out for evaluation).
Copies of every waveform: clean; augmented (additive white/pink/brown/babble noise at 0-20 dB SNR, synthetic reverb,
8 kHz telephone band with mu-law, a lossy codec: Opus 8-24 kbit/s or GSM, and combinations); and noisy copies
passed through the product's own denoiser (denoise-run.ts), because the product embeds denoised speech.
Raw log-mel (common.logmel) of every copy is stored as float16 with an index; training crops windows from it.

Never touches librispeech/test-other-dev, the dev splits, June or Carlo, or the Free Spoken Digit Dataset.
"""
import os
import sys
import time
import json
import subprocess
import tempfile
import numpy as np
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C

N_DEBIAN_PROMPTS = 160
SPEEDS = [1.0, 0.9, 1.1]
REPO = os.path.abspath(os.path.join(C.HERE, "..", ".."))
_POOL = None


def _init(pool):
    global _POOL
    _POOL = pool


def _level(y, rng):
    return y * rng.uniform(0.05, 0.9) / (np.max(np.abs(y)) + 1e-9)  # random level


def augmented(x, rng, pool):
    """One randomly chosen degradation of x (the kinds of the 7 fixed copies of a long utterance, plus a codec)."""
    snr = rng.uniform(0, 20)
    kind = rng.randint(7)
    if kind == 0:
        return C.add_noise(x, C.random_noise(len(x), rng, pool), snr)
    if kind == 1:
        return C.reverb(x, rng)
    if kind == 2:
        return C.add_noise(C.reverb(x, rng), C.random_noise(len(x), rng, pool), snr)
    if kind == 3:
        return C.telephone(x, rng)
    if kind == 4:
        return C.telephone(C.add_noise(x, C.random_noise(len(x), rng, pool), rng.uniform(5, 25)), rng)
    if kind == 5:
        return C.codec(x, rng)
    return C.codec(C.add_noise(x, C.random_noise(len(x), rng, pool), rng.uniform(5, 25)), rng)


def to_denoise(x, rng, pool):
    """A noisy copy the product's denoiser will clean (0-15 dB, sometimes over a telephone band or reverberant)."""
    y = x
    r = rng.rand()
    if r < 0.2:
        y = C.telephone(y, rng)
    elif r < 0.4:
        y = C.reverb(y, rng)
    return C.add_noise(y, C.random_noise(len(y), rng, pool), rng.uniform(0, 15))


def make_copies(args):
    """-> (cls, [log-mel of finished copies], [waveforms still to be denoised])"""
    cls, waves, long_form, seed = args
    rng = np.random.RandomState(seed)
    pool = _POOL
    outs, noisy = [], []
    for x in waves:
        if long_form:  # one long utterance: the seven fixed copies of v1, and two noisy copies to denoise
            snr = lambda: rng.uniform(0, 20)
            outs.append(x)
            outs.append(C.add_noise(x, C.random_noise(len(x), rng, pool), snr()))
            outs.append(C.add_noise(x, C.random_noise(len(x), rng, pool), snr()))
            outs.append(C.reverb(x, rng))
            outs.append(C.add_noise(C.reverb(x, rng), C.random_noise(len(x), rng, pool), snr()))
            outs.append(C.telephone(x, rng))
            outs.append(C.telephone(C.add_noise(x, C.random_noise(len(x), rng, pool), rng.uniform(5, 25)), rng))
            outs.append(C.codec(x, rng))
            noisy += [to_denoise(x, rng, pool), to_denoise(x, rng, pool)]
        else:  # one of many short utterances: clean, one augmented copy, one noisy copy to denoise
            outs.append(x)
            outs.append(augmented(x, rng, pool))
            noisy.append(to_denoise(x, rng, pool))
    feats = [C.logmel(_level(y, rng)).astype(np.float16) for y in outs]
    noisy = [_level(y, rng).astype(np.float32) for y in noisy]
    return cls, feats, noisy


def denoise(waves):
    """The product's denoiser over waveforms (denoise-run.ts in Node), same lengths."""
    with tempfile.TemporaryDirectory() as d:
        fi, fl, fo = (os.path.join(d, n) for n in ("in.f32", "len.json", "out.f32"))
        np.concatenate(waves).astype(np.float32).tofile(fi)
        with open(fl, "w") as fh:
            json.dump([int(len(w)) for w in waves], fh)
        r = subprocess.run(["npx", "tsx", "training/speaker/denoise-run.ts", fi, fl, fo], cwd=REPO,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        flat = np.fromfile(fo, dtype=np.float32)
    out, off = [], 0
    for w in waves:
        out.append(flat[off:off + len(w)])
        off += len(w)
    return out


def main():
    t0 = time.time()
    os.makedirs(C.WORK, exist_ok=True)
    train_files, held = C.libri_split()
    base = []  # (name, [waveforms], long_form)
    for f in train_files:
        base.append(("libri-" + os.path.basename(f).split("-")[0], [C.load(f)], True))
    babble_pool = [w[0] for _, w, _ in base]
    so_train, so_dev = C.speechocean_split(C.speechocean_root())
    for spk, files in so_train.items():
        waves = [C.trim_silence(C.load(f)) for f in files]
        base.append(("speechocean-" + spk, [w for w in waves if len(w) >= C.SR // 2], False))
    rng = np.random.RandomState(C.SEED)
    for name, dirs in C.DEBIAN_TRAIN.items():
        files = C.debian_files(dirs)
        sel = rng.choice(len(files), min(N_DEBIAN_PROMPTS, len(files)), replace=False)
        parts = []
        for i in sorted(sel):
            w = C.trim_silence(C.load(files[i]))
            parts += [w, np.zeros(1600, np.float32)]
        base.append(("debian-" + name, [np.concatenate(parts)], True))
    seconds = sum(len(w) for _, ws, _ in base for w in ws) / C.SR
    print(f"loaded {len(base)} base speakers, {seconds / 3600:.2f} h, in {time.time()-t0:.1f}s", flush=True)

    jobs, names = [], []
    for s in SPEEDS:
        for name, waves, long_form in base:
            cls = len(names)
            names.append(f"{name}@{s}")
            jobs.append((cls, [C.speed(w, s) for w in waves], long_form, C.SEED * 1000 + cls))
    nprocs = int(os.environ.get("PREP_PROCS", "2"))
    idx, chunks, pos = [], [], 0
    step = 150  # classes per round trip to the denoiser
    with Pool(nprocs, initializer=_init, initargs=(babble_pool,)) as p:
        for lo in range(0, len(jobs), step):
            res = sorted(p.map(make_copies, jobs[lo:lo + step], chunksize=2), key=lambda r: r[0])
            pending = [(cls, w) for cls, _, noisy in res for w in noisy]
            cleaned = denoise([w for _, w in pending])
            extra = {}
            for (cls, _), y in zip(pending, cleaned):
                extra.setdefault(cls, []).append(C.logmel(y).astype(np.float16))
            for cls, feats, _ in res:
                for k, f in enumerate(feats + extra.get(cls, [])):
                    idx.append((cls, pos, len(f), k))
                    chunks.append(f)
                    pos += len(f)
            print(f"classes {min(lo + step, len(jobs))}/{len(jobs)}, {pos} frames, {time.time()-t0:.0f}s", flush=True)
    bank = np.concatenate(chunks)
    np.save(os.path.join(C.WORK, "bank.npy"), bank)
    np.save(os.path.join(C.WORK, "bank_idx.npy"), np.array(idx, dtype=np.int64))
    with open(os.path.join(C.WORK, "classes.json"), "w") as fh:
        json.dump({"classes": names, "heldout_libri": [os.path.basename(f) for f in held],
                   "heldout_speechocean": sorted(so_dev)}, fh, indent=1)
    print(f"bank {bank.shape} ({bank.nbytes/1e6:.0f} MB), {len(names)} classes, {len(idx)} copies, "
          f"{time.time()-t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
