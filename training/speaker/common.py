"""Shared pieces for the Mira speaker-embedding pipeline.

The numpy front end here (`logmel`) is the exact reference of the ONNX front end
built in export.py: 16 kHz waveform -> 512-point STFT (hop 160, 400-sample
periodic Hann window centred in 512, no padding) -> power -> 64 triangular mel
bands (20-7600 Hz, HTK mel scale) -> log(x + 1e-6).  Mean normalisation over
time is applied by the consumer (network input) so that raw log-mel stays
available for the statistics/LDA branch.
"""
import os
import glob
import numpy as np
import soundfile as sf
from scipy import signal

SR = 16000
N_FFT = 512
WIN = 400
HOP = 160
N_MELS = 64
FMIN, FMAX = 20.0, 7600.0
LOG_EPS = 1e-6

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work")
# The shared data folder of tooling/shared-data.ts: MIRA_SHARED_DIR, else `shared` beside the clone.
SHARED = os.path.abspath(os.environ.get("MIRA_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared"))
DATA = os.path.join(SHARED, "data")
LIBRI = os.path.join(DATA, "librispeech")
ASTERISK = "/usr/share/asterisk/sounds"

# Debian asterisk speakers. June (fr_CA) and Carlo (it_IT male) are held out for evaluation.
DEBIAN_TRAIN = {"allison": ["en_US_f_Allison", "es_MX_f_Allison"],
                "menardi": ["it_IT_f_Menardi"],
                "ivrvoiceru": ["ru_RU_f_IvrvoiceRU"]}
DEBIAN_EVAL = {"june": ["fr_CA_f_June"], "carlo": ["it_IT_m_Carlo"]}
N_LIBRI_HELDOUT = 30  # train-clean-100 speakers excluded from training (dev split)
# speechocean762 (SPEECHOCEAN_DIR): this many of its test/ speakers are never trained on; the first
# N_SPEECHOCEAN_EVAL of them are kept for evaluation only (never tuned on), the others are the dev split. The other 55
# test/ speakers and all 125 train/ speakers are trained on.
N_SPEECHOCEAN_HELDOUT = 70
N_SPEECHOCEAN_EVAL = 10
SEED = 1234


def window():
    n = np.arange(WIN)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * n / WIN)  # periodic Hann
    full = np.zeros(N_FFT, dtype=np.float64)
    off = (N_FFT - WIN) // 2
    full[off:off + WIN] = w
    return full.astype(np.float32)


def mel_matrix():
    def hz2mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel2hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    mels = np.linspace(hz2mel(FMIN), hz2mel(FMAX), N_MELS + 2)
    hz = mel2hz(mels)
    bins = np.arange(N_FFT // 2 + 1) * SR / N_FFT
    M = np.zeros((N_FFT // 2 + 1, N_MELS), dtype=np.float64)
    for m in range(N_MELS):
        lo, c, hi = hz[m], hz[m + 1], hz[m + 2]
        up = (bins - lo) / (c - lo)
        down = (hi - bins) / (hi - c)
        M[:, m] = np.maximum(0.0, np.minimum(up, down))
    return M.astype(np.float32)


_W = window()
_M = mel_matrix()


def logmel(x):
    """x: float32 [N] at 16 kHz -> float32 [T, 64] raw log-mel (no CMN)."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) < N_FFT:
        x = np.pad(x, (0, N_FFT - len(x)))
    T = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(T)[:, None]
    fr = x[idx] * _W[None, :]
    spec = np.fft.rfft(fr, axis=1)
    p = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    return np.log(p @ _M + LOG_EPS).astype(np.float32)


def load(path, sr=SR):
    x, fs = sf.read(path, dtype="float32", always_2d=False)
    if x.ndim > 1:
        x = x.mean(1)
    if fs != sr:
        g = np.gcd(fs, sr)
        x = signal.resample_poly(x, sr // g, fs // g).astype(np.float32)
    return x


def libri_train_files():
    return sorted(glob.glob(os.path.join(LIBRI, "train-clean-100", "*.flac")))


def libri_split():
    files = libri_train_files()
    rng = np.random.RandomState(SEED)
    perm = rng.permutation(len(files))
    held = sorted(files[i] for i in perm[:N_LIBRI_HELDOUT])
    train = sorted(files[i] for i in perm[N_LIBRI_HELDOUT:])
    return train, held


def speechocean_speakers(root):
    """speechocean762's speakers as {speaker id: [wav paths in utterance order]}, from the Kaldi lists of its
    train/ and test/ folders; and the set of speakers listed under test/."""
    files, test = {}, set()
    for part in ("train", "test"):
        scp = {}
        with open(os.path.join(root, part, "wav.scp")) as fh:
            for line in fh:
                utt, rel = line.split()
                scp[utt] = os.path.join(root, rel)
        with open(os.path.join(root, part, "spk2utt")) as fh:
            for line in fh:
                spk, *utts = line.split()
                files[spk] = [scp[u] for u in sorted(utts)]
                if part == "test":
                    test.add(spk)
    return files, test


def speechocean_split(root, with_eval=False):
    """(train, dev[, eval]): dicts speaker -> files. N_SPEECHOCEAN_HELDOUT speakers of test/ are held out (seed-fixed):
    the first N_SPEECHOCEAN_EVAL drawn are the evaluation speakers, the rest the dev split."""
    files, test = speechocean_speakers(root)
    rng = np.random.RandomState(SEED + 762)
    order = sorted(test)
    drawn = [order[i] for i in rng.permutation(len(order))[:N_SPEECHOCEAN_HELDOUT]]
    eval_ids, dev_ids = set(drawn[:N_SPEECHOCEAN_EVAL]), set(drawn[N_SPEECHOCEAN_EVAL:])
    train = {s: f for s, f in sorted(files.items()) if s not in eval_ids and s not in dev_ids}
    dev = {s: f for s, f in sorted(files.items()) if s in dev_ids}
    held = {s: f for s, f in sorted(files.items()) if s in eval_ids}
    return (train, dev, held) if with_eval else (train, dev)


def speechocean_root(required=True):
    """SPEECHOCEAN_DIR, else data/speechocean762 in the shared folder (as tooling/shared-data.ts)."""
    root = os.environ.get("SPEECHOCEAN_DIR") or os.path.join(DATA, "speechocean762")
    if os.path.isdir(os.path.join(root, "train")):
        return root
    if required:
        raise SystemExit("speechocean762 not found: set SPEECHOCEAN_DIR to a folder holding its WAVE/, train/ and "
                         "test/ (github.com/jimbozhang/speechocean762 or OpenSLR SLR101; see README.md)")
    return None


def debian_files(dirs):
    out = []
    for d in dirs:
        out += sorted(glob.glob(os.path.join(ASTERISK, d, "**", "*.wav"), recursive=True))
    return out


def trim_silence(x, thr_db=-40.0):
    """Drop leading/trailing low-energy parts (asterisk prompts have silence)."""
    if len(x) < 800:
        return x
    f = 160
    n = len(x) // f
    e = 10 * np.log10(np.mean(x[:n * f].reshape(n, f) ** 2, axis=1) + 1e-10)
    ok = np.where(e > e.max() + thr_db)[0]
    if len(ok) == 0:
        return x
    return x[ok[0] * f:(ok[-1] + 1) * f]


# ----------------------------------------------------------------- augmentation
def speed(x, factor):
    """Speed perturbation by resampling (changes pitch+tempo) -> new 'speaker'."""
    if factor == 1.0:
        return x
    up, down = {0.9: (10, 9), 1.1: (10, 11)}[factor]
    return signal.resample_poly(x, up, down).astype(np.float32)


def white(n, rng):
    return rng.randn(n).astype(np.float32)


def pink(n, rng):
    X = np.fft.rfft(rng.randn(n))
    f = np.arange(len(X), dtype=np.float64)
    f[0] = 1.0
    y = np.fft.irfft(X / np.sqrt(f), n)
    return (y / (np.std(y) + 1e-9)).astype(np.float32)


def brown(n, rng):
    X = np.fft.rfft(rng.randn(n))
    f = np.arange(len(X), dtype=np.float64)
    f[0] = 1.0
    y = np.fft.irfft(X / f, n)
    return (y / (np.std(y) + 1e-9)).astype(np.float32)


def babble(n, pool, rng, k=None):
    k = k or rng.randint(3, 7)
    y = np.zeros(n, dtype=np.float32)
    for _ in range(k):
        s = pool[rng.randint(len(pool))]
        if len(s) < n:
            s = np.tile(s, n // len(s) + 1)
        o = rng.randint(0, len(s) - n + 1)
        seg = s[o:o + n]
        y += seg / (np.std(seg) + 1e-9)
    return y


def add_noise(x, noise, snr_db):
    px = np.mean(x ** 2) + 1e-10
    pn = np.mean(noise ** 2) + 1e-10
    return (x + noise * np.sqrt(px / (pn * 10 ** (snr_db / 10)))).astype(np.float32)


_TEL_SOS = signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")


def telephone(x, rng=None, mulaw=True):
    y = signal.resample_poly(x, 1, 2)
    y = signal.sosfilt(_TEL_SOS, y)
    if mulaw:
        mu = 255.0
        pk = np.max(np.abs(y)) + 1e-9
        z = np.sign(y / pk) * np.log1p(mu * np.abs(y / pk)) / np.log1p(mu)
        z = np.round(z * 127) / 127
        y = np.sign(z) * ((1 + mu) ** np.abs(z) - 1) / mu * pk
    return signal.resample_poly(y, 2, 1).astype(np.float32)[:len(x)]


def reverb(x, rng):
    rt60 = rng.uniform(0.2, 0.8)
    n = int(rt60 * SR)
    t = np.arange(n) / SR
    h = rng.randn(n) * np.exp(-6.9 * t / rt60)
    h[0] = 0.0
    d = int(rng.uniform(0.0, 0.003) * SR)
    h[d] += rng.uniform(1.0, 4.0) * np.max(np.abs(h))
    y = signal.fftconvolve(x, h)[:len(x)]
    return (y / (np.max(np.abs(y)) + 1e-9) * np.max(np.abs(x))).astype(np.float32)


def codec(x, rng):
    """A lossy codec round trip through ffmpeg: Opus at 8-24 kbit/s (what Mira's apps send), or GSM 06.10 at
    8 kHz (a phone line). Falls back to the input if ffmpeg is missing."""
    import subprocess
    if rng.rand() < 0.6:
        enc = ["-c:a", "libopus", "-b:a", f"{int(rng.choice([8, 12, 16, 24]))}k", "-f", "ogg"]
        rate = SR
    else:
        enc = ["-ar", "8000", "-c:a", "libgsm", "-f", "gsm"]
        rate = 8000
    raw = ["-f", "f32le", "-ar", str(SR), "-ac", "1"]
    try:
        coded = subprocess.run(["ffmpeg", "-v", "error", *raw, "-i", "pipe:0", *enc, "pipe:1"],
                               input=np.clip(x, -1, 1).astype(np.float32).tobytes(), capture_output=True,
                               check=True).stdout
        fmt = ["-f", "gsm", "-ar", "8000"] if rate == 8000 else []
        back = subprocess.run(["ffmpeg", "-v", "error", *fmt, "-i", "pipe:0", "-f", "f32le", "-ar", str(SR), "-ac",
                               "1", "pipe:1"], input=coded, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return x
    y = np.frombuffer(back, np.float32)
    out = np.zeros(len(x), np.float32)
    out[:min(len(x), len(y))] = y[:len(x)]
    return out


def random_noise(n, rng, pool):
    kind = rng.choice(["white", "pink", "brown", "babble", "babble"])
    if kind == "white":
        return white(n, rng)
    if kind == "pink":
        return pink(n, rng)
    if kind == "brown":
        return brown(n, rng)
    return babble(n, pool, rng)
