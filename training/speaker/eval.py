"""Speaker-embedding evaluation on speakers never seen in training.

Sets
  eval : librispeech/test-other-dev (5 speakers x 10 utterances) + Debian asterisk
         speakers June (fr_CA) and Carlo (it_IT, male) held out from training
         (10 pseudo-utterances each, silence-trimmed prompts concatenated to >= 6 s, 8 kHz source).
  dev  : 30 train-clean-100 speakers excluded from training (common.libri_split);
         each single utterance is cut into 4 equal chunks (~3 s): 3 enrol, 1 test.
  dev_so: 60 speechocean762 speakers excluded from training (common.speechocean_split; when SPEECHOCEAN_DIR is
         set): 20 short utterances each (silence-trimmed, 1-3 s), the first 3 enrol, the other 17 are tests.
Protocol: 3-utterance enrolment (mean of the 3 unit embeddings, re-normalised, clean),
test utterance degraded per condition, cosine scoring against every enrolled speaker.
  eval folds: enrol utts {0,1,2}, {3,4,5}, {6,7,8}; test = that speaker's other 7.
Reports EER over all target/non-target trials and closed-set top-1.

usage: python3 eval.py --onnx ../../models/mira-speaker-v1.onnx [--json out.json]
       python3 eval.py --baseline mfcc
       python3 eval.py --torch .work/net.pt [--lda .work/lda.npz] [--w-net 0.7]
"""
import os
import sys
import glob
import json
import argparse
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C

EVAL_SPK = ["1688", "1998", "2033", "3080", "533"]
CONDS = ["clean5", "clean2", "white5", "pink5", "babble5", "tel8k"]
DUR_CONDS = ["crop0.5", "crop1", "crop1.5", "crop2", "crop3"]


def load_sets():
    rng = np.random.RandomState(C.SEED + 7)
    spk = {}
    for s in EVAL_SPK:
        fs = sorted(glob.glob(os.path.join(C.LIBRI, "test-other-dev", s, "*.flac")))
        spk["libri-" + s] = [C.load(f) for f in fs]
    for name, dirs in C.DEBIAN_EVAL.items():
        files = C.debian_files(dirs)
        order = rng.permutation(len(files))
        utts, cur, k = [], [], 0
        while len(utts) < 10 and k < len(order):
            w = C.trim_silence(C.load(files[order[k]]))
            k += 1
            if len(w) < 4000:
                continue
            cur += [w, np.zeros(1600, np.float32)]
            if sum(len(c) for c in cur) >= 6 * C.SR:
                utts.append(np.concatenate(cur))
                cur = []
        spk["debian-" + name] = utts
    _, held = C.libri_split()
    dev = {}
    for f in held:
        x = C.load(f)
        n = len(x) // 4
        dev["libri-" + os.path.basename(f).split("-")[0]] = [x[i * n:(i + 1) * n] for i in range(4)]
    return spk, dev


def load_speechocean_dev():
    root = C.speechocean_root(required=False)
    if not root:
        return None
    _, dev = C.speechocean_split(root)
    return {"so-" + s: [C.trim_silence(C.load(f)) for f in files] for s, files in dev.items()}


def degrade(x, cond, seed, babble_pool):
    rng = np.random.RandomState(seed)
    if cond.startswith("clean5") or cond == "clean":
        return x
    if cond.startswith("crop"):
        d = {"clean2": 2.0}.get(cond, None) or float(cond[4:])
        n = int(d * C.SR)
        if len(x) <= n:
            return x
        o = (len(x) - n) // 2
        return x[o:o + n]
    if cond == "clean2":
        return degrade(x, "crop2", seed, babble_pool)
    if cond == "white5":
        return C.add_noise(x, C.white(len(x), rng), 5.0)
    if cond == "pink5":
        return C.add_noise(x, C.pink(len(x), rng), 5.0)
    if cond == "babble5":
        return C.add_noise(x, C.babble(len(x), babble_pool, rng, k=5), 5.0)
    if cond == "tel8k":
        return C.telephone(x, rng)
    raise ValueError(cond)


def eer(tgt, non):
    tgt, non = np.asarray(tgt), np.asarray(non)
    th = np.sort(np.concatenate([tgt, non]))
    frr = np.searchsorted(np.sort(tgt), th, side="left") / len(tgt)
    far = 1 - np.searchsorted(np.sort(non), th, side="left") / len(non)
    i = np.argmin(np.abs(frr - far))
    return float((frr[i] + far[i]) / 2), float(th[i])


def norm(e):
    e = np.asarray(e, np.float64).reshape(len(e), -1)
    return e / (np.linalg.norm(e, axis=1, keepdims=True) + 1e-12)


def run_trials(embed, spk, cond, babble_pool, folds, clean=None):
    """folds: list of (enrol_ids, test_ids) per speaker set. Returns trial scores."""
    names = sorted(spk)
    tgt, non, correct, total, margins = [], [], 0, 0, []
    # embed all clean enrol utterances and all degraded test utterances once
    if clean is None:
        clean = {n: norm(embed(spk[n])) for n in names}
    test_w, keys = [], []
    for si, n in enumerate(names):
        for ui, w in enumerate(spk[n]):
            test_w.append(degrade(w, cond, 1000 * si + ui + 17, babble_pool))
            keys.append((n, ui))
    tE = dict(zip(keys, norm(embed(test_w))))
    for enrol_ids, test_ids in folds:
        models = norm(np.stack([clean[n][enrol_ids].mean(0) for n in names]))
        for si, n in enumerate(names):
            for ui in test_ids:
                if cond == "clean5" and len(spk[n][ui]) < 5 * C.SR:
                    continue
                sc = models @ tE[(n, ui)]
                tgt.append(sc[si])
                non += list(np.delete(sc, si))
                o = np.argsort(-sc)
                correct += int(o[0] == si)
                total += 1
                margins.append((float(sc[o[0]]), float(sc[o[0]] - sc[o[1]]), bool(o[0] == si)))
    e, th = eer(tgt, non)
    return {"eer": e, "eer_threshold": th, "top1": correct / total, "n_target": len(tgt), "n_nontarget": len(non),
            "tgt": tgt, "non": non, "margins": margins}


EVAL_FOLDS = [([0, 1, 2], [3, 4, 5, 6, 7, 8, 9]), ([3, 4, 5], [0, 1, 2, 6, 7, 8, 9]), ([6, 7, 8], [0, 1, 2, 3, 4, 5, 9])]
DEV_FOLDS = [([1, 2, 3], [0]), ([0, 2, 3], [1]), ([0, 1, 3], [2]), ([0, 1, 2], [3])]
SO_FOLDS = [([0, 1, 2], list(range(3, 20)))]


def evaluate(embed, conds=CONDS + DUR_CONDS):
    spk, dev = load_sets()
    babble_eval = [w for v in list(dev.values())[:5] for w in v]   # dev speakers as babble for eval set
    babble_dev = [w for v in spk.values() for w in v[:2]][:10]     # eval speakers as babble for dev set
    so = load_speechocean_dev()
    res = {"eval": {}, "dev": {}}
    clean_e = {n: norm(embed(spk[n])) for n in sorted(spk)}   # enrolment embeddings, computed once
    clean_d = {n: norm(embed(dev[n])) for n in sorted(dev)}
    if so:
        res["dev_so"] = {}
        clean_s = {n: norm(embed(so[n])) for n in sorted(so)}
    for c in conds:
        res["eval"][c] = run_trials(embed, spk, c, babble_eval, EVAL_FOLDS, clean_e)
        cd = "clean" if c == "clean5" else c
        res["dev"][c] = run_trials(embed, dev, cd, babble_dev, DEV_FOLDS, clean_d)
        if so:
            # its utterances are 1-3 s: "clean5" and "clean2" are the whole utterance
            cs = "clean" if c in ("clean5", "clean2") else c
            res["dev_so"][c] = run_trials(embed, so, cs, babble_dev, SO_FOLDS, clean_s)
    return res


def dev_mean_eer(res, conds):
    """The figure settings are chosen by: mean EER over the conditions of every dev split."""
    return float(np.mean([res[p][c]["eer"] for p in ("dev", "dev_so") if p in res for c in conds]))


def table(res, title):
    parts = [p for p in ("eval", "dev", "dev_so") if p in res]
    lines = [f"| {title} | " + " | ".join(f"{p} EER | {p} top-1" for p in parts) + " |",
             "|---|" + "---|---|" * len(parts)]
    for c in res["eval"]:
        cells = [f"{100*res[p][c]['eer']:.1f}% | {100*res[p][c]['top1']:.1f}% ({res[p][c]['n_target']})"
                 for p in parts]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def thresholds(res, conds=("clean5", "clean2", "white5", "pink5", "babble5", "tel8k", "crop3")):
    """Accept threshold at 1% false-accept on pooled dev+eval non-target trials; margin = smallest
    top1-top2 gap that removes >= 95% of wrong top-1 answers above the threshold."""
    non, tgt, marg = [], [], []
    for part in ("eval", "dev"):
        for c in conds:
            if c in res[part]:
                non += res[part][c]["non"]
                tgt += res[part][c]["tgt"]
                marg += res[part][c]["margins"]
    non = np.sort(non)
    acc = float(non[int(0.99 * len(non))])
    wrong = np.array([m for s, m, ok in marg if not ok and s >= acc])
    mg = float(np.quantile(wrong, 0.95)) if len(wrong) else 0.0
    mg = max(0.03, round(mg, 3))
    ok_rate = np.mean([ok and s >= acc and m >= mg for s, m, ok in marg])
    wrong_rate = np.mean([(not ok) and s >= acc and m >= mg for s, m, ok in marg])
    frr = float(np.mean(np.array(tgt) < acc))
    return {"accept": round(acc, 3), "margin": mg, "far_at_accept": 0.01, "frr_at_accept": frr,
            "id_correct_accepted": float(ok_rate), "id_wrong_accepted": float(wrong_rate)}


def mfcc_embed(waves):
    from scipy.fft import dct
    out = []
    for w in waves:
        lm = C.logmel(w)
        m = dct(lm, type=2, norm="ortho", axis=1)[:, 1:21]
        out.append(np.concatenate([m.mean(0), m.std(0)]))
    return np.array(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx")
    ap.add_argument("--baseline")
    ap.add_argument("--torch")
    ap.add_argument("--lda")
    ap.add_argument("--w-net", type=float, default=1.0)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true", help="only clean5/clean2/babble5/tel8k")
    a = ap.parse_args()
    if a.onnx:
        import ortnode
        embed = lambda ws: np.concatenate(ortnode.run(a.onnx, ws), axis=0)
        title = os.path.basename(a.onnx)
    elif a.baseline == "mfcc":
        embed, title = mfcc_embed, "MFCC mean+std"
    else:
        import torch
        import build
        torch.set_num_threads(1)
        m = build.make_embedder(a.torch, a.lda, a.w_net).eval()

        def embed(ws):
            with torch.no_grad():
                return np.concatenate([m(torch.from_numpy(C.logmel(w))[None]).numpy() for w in ws])
        title = f"torch net={a.torch} lda={a.lda} w={a.w_net}"
    conds = ["clean5", "clean2", "white5", "babble5", "tel8k", "crop1"] if a.quick else CONDS + DUR_CONDS
    res = evaluate(embed, conds)
    print(table(res, title))
    th = thresholds(res)
    print(json.dumps(th))
    if a.json:
        slim = {p: {c: {k: v for k, v in r.items() if k not in ("tgt", "non", "margins")} for c, r in res[p].items()}
                for p in res}
        with open(a.json, "w") as fh:
            json.dump({"title": title, "results": slim, "thresholds": th}, fh, indent=1)


if __name__ == "__main__":
    main()
