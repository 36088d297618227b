"""Trained scoring backends over the mira-speaker-v1 embeddings, against cosine and cosine + AS-norm, on the dev split.

Question: does a backend fitted on speech with many utterances per speaker (within-class statistics that include the
rooms: noise, babble, telephone band, reverberation) name people better than the product's cosine + AS-norm?

Backends (each fitted on TRAINING speakers only, then scored raw and with the product's AS-norm against the model's
cohort, models/<model>.cohort.f16, mapped through the same backend):
  cos           unit embeddings, cosine (the product without its cohort)
  wccn          centre, whiten the within-class covariance (shrunk towards its mean variance), length-normalise, cosine
  lda<d>        centre, LDA to d dimensions (within-class whitened), length-normalise, cosine
  plda<d>       centre, LDA to d (d = 342: whitening only), length-normalise, two-covariance PLDA (EM), its LLR
The enrolment is the product's voiceprint: the mean of 3 clean unit embeddings, re-normalised, mapped through the
backend (so stored voiceprints would not change).

Training data: speechocean762 train speakers (common.speechocean_split: never its dev or evaluation speakers), each
utterance clean + 1 augmented copy; LibriSpeech train-clean-100 training speakers (common.libri_split: never the 30 dev
speakers) but the first BABBLE_SPEAKERS of them, whose voices only make the dev babble, each utterance cut into 2-4 s
chunks, clean + 2 augmented copies. Augmentation (common.py): white/pink/brown/babble noise at 0-15 dB, telephone band
(mu-law), reverberation, reverberation + noise.
Dev split (never fitted on): the 30 LibriSpeech dev speakers (two folds: 3 enrolment segments from one end of the
utterance, up to 6 s, tests from the rest) and the 60 speechocean762 dev speakers (enrolment: utterances 0-2; tests:
utterances 3-19 joined and cut into 2 s and 5 s segments). Target and non-target trials of the two parts are pooled
(no trial across parts). Conditions degrade the test side only: clean 2 s, clean >= 4 s, and the >= 4 s segments with
pink or babble (5 talkers) noise at 5 dB (no denoiser here, unlike the product path).

usage (from a fresh clone; embeddings through onnxruntime-node, cached in --work):
  SPEECHOCEAN_DIR=/path/to/speechocean762 MIRA_SHARED_DIR=/path/to/shared /usr/bin/python3 training/speaker/backend.py \
      [--onnx models/mira-speaker-v1.onnx] [--cohort models/mira-speaker-v1.cohort.f16] [--work DIR] [--json OUT]
"""
import os
import sys
import json
import time
import hashlib
import argparse
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import common as C  # noqa: E402
from eval import eer  # noqa: E402

if not os.environ.get("ORT_DIR") and not os.path.isdir(os.path.join(HERE, ".work", "ort")):
    os.environ["ORT_DIR"] = os.path.join(REPO, "node_modules", "onnxruntime-node")
import ortnode  # noqa: E402

SEED = C.SEED + 18
BABBLE_SPEAKERS = 10   # LibriSpeech training speakers kept out of fitting: the dev babble's voices
COHORT_TOP_K = 100     # as models/manifest.json for mira-speaker-v1-cohort
COHORT_ROWS = 2000     # a cohort drawn from the training embeddings, about the product's size (2,038)
DIM = 342
# mixed4: every second dev voice heard over an 8 kHz telephone band (mu-law), at enrolment and test, the rest clean:
# the case the product's AS-norm was built for (a raw cosine also measures the channel)
CONDITIONS = ["clean2", "clean4", "pink5", "babble5", "mixed4"]
FARS = (1e-3, 1e-4)


# ----------------------------------------------------------------------------------------------- embedding
def embed(onnx, waves, batch=300):
    out = []
    for i in range(0, len(waves), batch):
        out.append(np.concatenate(ortnode.run(onnx, waves[i:i + batch]), axis=0))
    e = np.concatenate(out).astype(np.float64)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def augment(x, rng, pool):
    kind = rng.randint(5)
    if kind == 0:
        return C.add_noise(x, C.random_noise(len(x), rng, pool), rng.uniform(0, 15))
    if kind == 1:
        return C.add_noise(x, C.babble(len(x), pool, rng), rng.uniform(0, 15))
    if kind == 2:
        return C.telephone(x, rng)
    if kind == 3:
        return C.reverb(x, rng)
    return C.add_noise(C.reverb(x, rng), C.random_noise(len(x), rng, pool), rng.uniform(0, 15))


def training_waves(so_root):
    rng = np.random.RandomState(SEED)
    libri_train, _ = C.libri_split()
    libri_fit = libri_train[BABBLE_SPEAKERS:]
    so_train, _ = C.speechocean_split(so_root)
    so = {s: [C.trim_silence(C.load(f)) for f in fs] for s, fs in so_train.items()}
    libri = {os.path.basename(f).split("-")[0]: C.load(f) for f in libri_fit}
    pool = [w for s in sorted(so) for w in so[s][:2]] + [libri[s] for s in sorted(libri)]
    waves, labels = [], []
    for s in sorted(libri):
        x, o = libri[s], 0
        while len(x) - o >= 2 * C.SR:
            n = min(int(rng.uniform(2, 4) * C.SR), len(x) - o)
            chunk = x[o:o + n]
            o += n
            for copy in range(3):
                waves.append(chunk if copy == 0 else augment(chunk, rng, pool))
                labels.append("libri-" + s)
    for s in sorted(so):
        for w in so[s]:
            if len(w) < C.SR // 2:
                continue
            waves += [w, augment(w, rng, pool)]
            labels += ["so-" + s] * 2
    return waves, np.array(labels)


def dev_trials_spec(so_root):
    """Enrolment waves, test waves per condition, and the trial layout: list of parts, each a list of folds
    (model speaker ids, enrolment wave indices per model, test speaker id and test wave index per condition)."""
    libri_train, libri_dev = C.libri_split()
    babble_pool = [C.load(f) for f in libri_train[:BABBLE_SPEAKERS]]
    _, so_dev = C.speechocean_split(so_root)
    enrol, tests = [], {c: [] for c in CONDITIONS}
    folds = []

    def add_tests(speaker, short, long, fold, narrow):
        for seg in short:
            fold["tests"]["clean2"].append((speaker, len(tests["clean2"])))
            tests["clean2"].append(seg)
        for seg in long:
            seed = 7919 * len(tests["clean4"]) + 17
            for c in ("clean4", "pink5", "babble5"):
                rng = np.random.RandomState(seed)
                y = seg if c == "clean4" else C.add_noise(
                    seg, C.pink(len(seg), rng) if c == "pink5" else C.babble(len(seg), babble_pool, rng, k=5), 5.0)
                fold["tests"][c].append((speaker, len(tests[c])))
                tests[c].append(y)
            fold["tests"]["mixed4"].append((speaker, len(tests["mixed4"])))
            tests["mixed4"].append(C.telephone(seg) if narrow else seg)

    def new_fold():
        return {"models": [], "enrol": [], "narrow": [], "tests": {c: [] for c in CONDITIONS}}

    def segments(x, seconds):
        n = int(seconds * C.SR)
        return [x[i * n:(i + 1) * n] for i in range(len(x) // n)]

    libri_folds = [new_fold(), new_fold()]
    for i, f in enumerate(libri_dev):
        x, s = C.load(f), "libri-" + os.path.basename(f).split("-")[0]
        e = min(6 * C.SR, len(x) // 2) // 3 * 3
        for k, fold in enumerate(libri_folds):
            head, rest = (x[:e], x[e:]) if k == 0 else (x[len(x) - e:], x[:len(x) - e])
            fold["models"].append(s)
            fold["narrow"].append(i % 2 == 1)
            fold["enrol"].append(list(range(len(enrol), len(enrol) + 3)))
            enrol += [head[j * e // 3:(j + 1) * e // 3] for j in range(3)]
            add_tests(s, segments(rest, 2), [rest] if len(rest) >= 4 * C.SR else [], fold, i % 2 == 1)
    so_fold = new_fold()
    for i, sp in enumerate(sorted(so_dev)):
        utts, s = [C.trim_silence(C.load(f)) for f in so_dev[sp]], "so-" + sp
        so_fold["models"].append(s)
        so_fold["narrow"].append(i % 2 == 1)
        so_fold["enrol"].append(list(range(len(enrol), len(enrol) + 3)))
        enrol += utts[:3]
        joined = np.concatenate(utts[3:])
        add_tests(s, segments(joined, 2), segments(joined, 5), so_fold, i % 2 == 1)
    return enrol, tests, [("libri", libri_folds), ("so", [so_fold])]


# ----------------------------------------------------------------------------------------------- backends
def class_stats(X, y):
    classes, inv = np.unique(y, return_inverse=True)
    means = np.stack([X[inv == k].mean(0) for k in range(len(classes))])
    within = X - means[inv]
    Sw = within.T @ within / len(X)
    counts = np.bincount(inv)
    mc = means - X.mean(0)
    Sb = (mc * counts[:, None]).T @ mc / len(X)
    return Sw, Sb


def length_norm(Z):
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def inv_sqrt(S):
    w, V = np.linalg.eigh(S)
    return V @ np.diag(1 / np.sqrt(np.maximum(w, 1e-10))) @ V.T


def lda(X, y, dims):
    """Projection (D x dims) with P' Sw P = I, directions of largest between/within ratio first."""
    Sw, Sb = class_stats(X, y)
    Sw = Sw + 1e-6 * np.trace(Sw) / len(Sw) * np.eye(len(Sw))
    Wi = inv_sqrt(Sw)
    w, V = np.linalg.eigh(Wi @ Sb @ Wi)
    return Wi @ V[:, np.argsort(-w)[:dims]]


class Cosine:
    def __init__(self, X, y, project=None):
        self.mu = X.mean(0) if project is not None else np.zeros(X.shape[1])
        self.P = project

    def map(self, E):
        return E if self.P is None else length_norm((E - self.mu) @ self.P)

    def score(self, A, B):
        return A @ B.T


class Wccn(Cosine):
    def __init__(self, X, y, shrink=0.1):
        Sw, _ = class_stats(X, y)
        Sw = (1 - shrink) * Sw + shrink * np.trace(Sw) / len(Sw) * np.eye(len(Sw))
        super().__init__(X, y, inv_sqrt(Sw))


class Lda(Cosine):
    def __init__(self, X, y, dims):
        super().__init__(X, y, lda(X, y, dims))


class Plda:
    """Two-covariance PLDA: speaker y ~ N(m, Sb), x | y ~ N(y, Sw), fitted by EM from the LDA-projected,
    length-normalised training embeddings; score = log p(same) / p(different) of two single vectors."""

    def __init__(self, X, y, dims, iters=10):
        self.mu = X.mean(0)
        self.P = lda(X, y, dims)
        Z = self.map(X)
        classes, inv = np.unique(y, return_inverse=True)
        n = np.bincount(inv).astype(np.float64)
        sums = np.zeros((len(classes), Z.shape[1]))
        np.add.at(sums, inv, Z)
        Sw, Sb = class_stats(Z, y)
        m = Z.mean(0)
        scatter = Z.T @ Z
        for _ in range(iters):
            # a floor under the between-class variances: fewer speakers than dimensions leave Sb singular
            Sb = Sb + 1e-3 * np.trace(Sb) / len(Sb) * np.eye(len(Sb))
            Bp, Wp = np.linalg.inv(Sb), np.linalg.inv(Sw)
            Ey = np.zeros_like(sums)
            cov_sum, cov_sum_n = np.zeros_like(Sb), np.zeros_like(Sb)
            for k in np.unique(n):
                idx = np.where(n == k)[0]
                Ck = np.linalg.inv(Bp + k * Wp)
                Ey[idx] = (Bp @ m + sums[idx] @ Wp) @ Ck
                cov_sum += len(idx) * Ck
                cov_sum_n += len(idx) * k * Ck
            m = Ey.mean(0)
            Sb = (cov_sum + Ey.T @ Ey) / len(classes) - np.outer(m, m)
            Sw = (scatter - sums.T @ Ey - Ey.T @ sums + (Ey * n[:, None]).T @ Ey + cov_sum_n) / n.sum()
        self.m = m
        T = Sb + Sw
        Ti = np.linalg.inv(T)
        A = np.linalg.inv(T - Sb @ Ti @ Sb)
        self.Q = Ti - A
        self.Pc = Ti @ Sb @ A

    def map(self, E):
        return length_norm((E - self.mu) @ self.P)

    def score(self, A, B):
        A, B = A - self.m, B - self.m
        qa = 0.5 * np.einsum("ij,jk,ik->i", A, self.Q, A)
        qb = 0.5 * np.einsum("ij,jk,ik->i", B, self.Q, B)
        return qa[:, None] + qb[None, :] + A @ self.Pc @ B.T


def as_norm(backend, M, T, cohort, k=COHORT_TOP_K):
    """The product's cross-selected AS-norm (libs/audio cohort-normaliser.ts): the model side's impostor statistics
    over the K cohort rows nearest the test, the test side's over the K nearest the model."""
    S = backend.score(M, T)
    Cm, Ct = backend.score(M, cohort), backend.score(T, cohort)
    near_m = np.argsort(-Cm, axis=1)[:, :k]
    near_t = np.argsort(-Ct, axis=1)[:, :k]
    mu_r = np.stack([Cm[:, near_t[j]].mean(1) for j in range(len(T))], axis=1)
    sd_r = np.stack([Cm[:, near_t[j]].std(1) for j in range(len(T))], axis=1)
    mu_t = np.stack([Ct[:, near_m[i]].mean(1) for i in range(len(M))], axis=0)
    sd_t = np.stack([Ct[:, near_m[i]].std(1) for i in range(len(M))], axis=0)
    return 0.5 * ((S - mu_r) / np.maximum(sd_r, 1e-4) + (S - mu_t) / np.maximum(sd_t, 1e-4))


# ----------------------------------------------------------------------------------------------- measures
def miss_at_far(tgt, non, far):
    """Miss rate at the threshold that lets through at most far x non-target trials (strictly above it)."""
    non = np.sort(non)
    allowed = int(np.floor(far * len(non)))
    threshold = non[len(non) - 1 - allowed]
    return float(np.mean(np.asarray(tgt) <= threshold))


def trials(backend, enrol_e, enrol_narrow_e, test_e, parts, cohort, normalise):
    """Pooled target / non-target scores per condition over all parts and folds, and per part."""
    out = {}
    for c in CONDITIONS:
        pooled_t, pooled_n, per_part = [], [], {}
        for part, folds in parts:
            tg, nt = [], []
            for fold in folds:
                if not fold["tests"][c]:
                    continue
                prints = length_norm(np.stack([(enrol_narrow_e if c == "mixed4" and narrow else enrol_e)[ix].mean(0)
                                               for ix, narrow in zip(fold["enrol"], fold["narrow"])]))
                M = backend.map(prints)
                spk, ix = zip(*fold["tests"][c])
                T = backend.map(test_e[c][list(ix)])
                S = as_norm(backend, M, T, backend.map(cohort)) if normalise else backend.score(M, T)
                same = np.array(fold["models"])[:, None] == np.array(spk)[None, :]
                tg += list(S[same])
                nt += list(S[~same])
            per_part[part] = (tg, nt)
            pooled_t += tg
            pooled_n += nt
        out[c] = {"pooled": (pooled_t, pooled_n), **per_part}
    return out


def summarise(scores):
    res = {}
    for c, by in scores.items():
        res[c] = {}
        for part, (tg, nt) in by.items():
            res[c][part] = {"eer": eer(tg, nt)[0], "n_target": len(tg), "n_nontarget": len(nt),
                            **{f"miss@{far:g}": miss_at_far(tg, nt, far) for far in FARS}}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=os.path.join(REPO, "models", "mira-speaker-v1.onnx"))
    ap.add_argument("--cohort", default=os.path.join(REPO, "models", "mira-speaker-v1.cohort.f16"))
    ap.add_argument("--librispeech", help="folder holding train-clean-100 (default: the shared data folder's)")
    ap.add_argument("--speechocean", help="speechocean762 folder (default: SPEECHOCEAN_DIR)")
    ap.add_argument("--work", default=os.path.join(HERE, ".work", "backend"), help="embedding cache")
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.librispeech:
        C.LIBRI = a.librispeech
    if a.speechocean:
        os.environ["SPEECHOCEAN_DIR"] = a.speechocean
    so_root = C.speechocean_root()
    os.makedirs(a.work, exist_ok=True)
    t0 = time.time()
    with open(a.onnx, "rb") as fh:  # embeddings belong to the model that made them
        cache = os.path.join(a.work, f"embeddings-{hashlib.sha256(fh.read()).hexdigest()[:16]}.npz")
    enrol, tests, parts = dev_trials_spec(so_root)
    z = dict(np.load(cache)) if os.path.exists(cache) else {}
    todo = {"enrol": lambda: enrol, "enrol_narrow": lambda: [C.telephone(w) for w in enrol],
            **{"test_" + c: (lambda c=c: tests[c]) for c in CONDITIONS}}
    if "train" not in z:
        waves, z["labels"] = training_waves(so_root)
        todo = {"train": lambda: waves, **todo}
    for key, waves_of in todo.items():
        if key not in z:
            waves_now = waves_of()
            print(f"embedding {len(waves_now)} clips: {key}", flush=True)
            z[key] = embed(a.onnx, waves_now)
    np.savez(cache, **z)
    X, y, enrol_e, enrol_narrow_e = z["train"], z["labels"], z["enrol"], z["enrol_narrow"]
    test_e = {c: z["test_" + c] for c in CONDITIONS}
    print(f"embeddings ready in {time.time() - t0:.0f} s: training {X.shape[0]} of {len(np.unique(y))} speakers",
          flush=True)
    product_cohort = length_norm(np.fromfile(a.cohort, dtype="<f2").astype(np.float64).reshape(-1, DIM))
    fits = {"all": np.ones(len(y), bool), "libri": np.char.startswith(y, "libri-"), "so": np.char.startswith(y, "so-")}
    makers = {"cos": Cosine, "wccn": Wccn, "lda150": lambda X, y: Lda(X, y, 150), "lda200": lambda X, y: Lda(X, y, 200),
              "plda150": lambda X, y: Plda(X, y, 150), "plda200": lambda X, y: Plda(X, y, 200),
              "plda342": lambda X, y: Plda(X, y, DIM)}
    # (backend, fitted on, cohorts): "product" = models/<model>.cohort.f16, "train" = COHORT_ROWS training embeddings
    rows = [(b, "all", (None, "product", "train")) for b in ("cos", "wccn", "plda200")]
    rows += [(b, "all", (None, "product")) for b in ("lda150", "lda200", "plda150", "plda342")]
    rows += [(b, fit, (None,)) for b in ("wccn", "plda200") for fit in ("libri", "so")]
    results = {}
    for name, fit, cohorts in rows:
        Xf, yf = X[fits[fit]], y[fits[fit]]
        b = makers[name](Xf, yf)
        pick = np.random.RandomState(SEED).permutation(len(Xf))[:COHORT_ROWS]
        for cohort in cohorts:
            key = name + ("" if fit == "all" else f" (fitted on {fit} only)")
            key += f" + AS-norm ({cohort} cohort)" if cohort else ""
            rows_c = {"product": product_cohort, "train": Xf[pick]}.get(cohort)
            results[key] = summarise(trials(b, enrol_e, enrol_narrow_e, test_e, parts, rows_c, cohort is not None))
            r = results[key]
            print(key, " ".join(f"{c}: {100 * r[c]['pooled']['eer']:.2f}% "
                                f"{100 * r[c]['pooled']['miss@0.001']:.1f}/{100 * r[c]['pooled']['miss@0.0001']:.1f}"
                                for c in CONDITIONS), flush=True)
    print("pooled dev (LibriSpeech + speechocean762): EER · miss at FAR 0.1 % · miss at FAR 0.01 % (trials tgt/non)")
    print(table(results, "pooled"))
    for part in ("libri", "so"):
        print(f"{part} dev part only")
        print(table(results, part))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=1)


def table(results, part):
    first = next(iter(results.values()))
    head = " | ".join(f"{c} ({first[c][part]['n_target']}/{first[c][part]['n_nontarget']})" for c in CONDITIONS)
    lines = [f"| backend | {head} |", "|---|" + "---|" * len(CONDITIONS)]
    for key, r in results.items():
        cells = [f"{100 * r[c][part]['eer']:.2f} · {100 * r[c][part]['miss@0.001']:.1f} · "
                 f"{100 * r[c][part]['miss@0.0001']:.1f}" for c in CONDITIONS]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
