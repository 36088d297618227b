"""Check the exported ONNX contract with onnxruntime-node and write the manifest.

usage: python3 verify.py MODEL.onnx EVAL_RESULT.json MANIFEST.json --kind lda|net|fusion
 - opset <= 17, single input `waveform` f32[1,N], single output `embedding` f32[1,D]
 - runs N = 8000, 32000, 160000: unit norm, deterministic (two runs identical)
 - bench: 3 s of audio, 1 thread (p50/p95 ms)
 - writes the manifest with sha256, dimension, thresholds from the eval json
"""
import os
import sys
import json
import hashlib
import argparse
import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C
import ortnode

DESCR = {
    "lda": "log-mel statistics (mean, std, delta std) + LDA (150-d), trained on augmented 2-4 s segments",
    "net": "compact 1-D ResNet/TDNN (1.42 M params) with attentive statistics pooling, AAM-softmax",
    "fusion": "score fusion inside the graph: weighted concatenation of the unit-norm network embedding and the "
              "unit-norm statistics+LDA embedding",
}


def dev_speakers():
    """The train-clean-100 speaker ids the network never trained on (common.libri_split, seed-fixed)."""
    _, held = C.libri_split()
    return [os.path.basename(f).split("-")[0] for f in held]


def speechocean_held_out():
    """speechocean762 speakers never trained on: the dev split and the evaluation speakers (common.speechocean_split)."""
    root = C.speechocean_root(required=False)
    if not root:
        return {}
    _, dev, held = C.speechocean_split(root, with_eval=True)
    return {"speechocean_dev": sorted(dev), "speechocean_eval": sorted(held)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("result")
    ap.add_argument("manifest")
    ap.add_argument("--kind", default="net")
    ap.add_argument("--name", default="mira-speaker-v1", help="the model's manifest name")
    ap.add_argument("--extra", default="{}", help="json merged into the manifest's training section")
    a = ap.parse_args()
    m = onnx.load(a.model)
    onnx.checker.check_model(m)
    ops = {o.domain: o.version for o in m.opset_import}
    assert ops.get("", 0) <= 17, ops
    assert [i.name for i in m.graph.input] == ["waveform"], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == ["embedding"]
    rng = np.random.RandomState(0)
    tr, _ = C.libri_split()
    x = C.load(tr[0])
    waves = [x[:8000], np.tile(x, 3)[:32000], np.tile(x, 20)[:160000], 0.05 * rng.randn(32000).astype(np.float32)]
    o1 = ortnode.run(a.model, waves)
    o2 = ortnode.run(a.model, waves)
    D = None
    checks = []
    for w, e1, e2 in zip(waves, o1, o2):
        assert e1.shape[0] == 1 and e1.ndim == 2
        D = e1.shape[1]
        nrm = float(np.linalg.norm(e1))
        same = bool(np.array_equal(e1, e2))
        checks.append({"N": len(w), "shape": list(e1.shape), "norm": round(nrm, 6), "deterministic": same})
        assert abs(nrm - 1) < 1e-4 and same and np.all(np.isfinite(e1))
    b = ortnode.bench(a.model, 3.0, 200)
    print(json.dumps({"checks": checks, "bench_3s_1thread": b}, indent=1))
    res = json.load(open(a.result))
    th = res["thresholds"]
    sha = hashlib.sha256(open(a.model, "rb").read()).hexdigest()
    r = res["results"]
    man = {
        "name": a.name,
        "file": os.path.basename(a.model),
        "sha256": sha,
        "bytes": os.path.getsize(a.model),
        "dimension": D,
        "input": {"kind": "waveform", "sample_rate": 16000, "name": "waveform", "shape": [1, "N"],
                  "dtype": "float32", "range": [-1, 1], "min_samples": 8000},
        "output": "embedding",
        "output_spec": {"name": "embedding", "shape": [1, D], "dtype": "float32", "l2_normalised": True,
                        "compare": "cosine (dot product)"},
        "opset": ops.get(""),
        "model": DESCR.get(a.kind, a.kind),
        "front_end": "inside the graph: STFT n_fft 512 / hop 160 / 400-sample Hann, 64 mel 20-7600 Hz, log(x+1e-6), "
                     "per-utterance mean normalisation",
        "licence": "CC-BY-SA-3.0 (weights derived from CC BY 4.0 LibriSpeech and CC-BY-SA-3.0 Asterisk prompts); "
                   "code: project licence",
        "training_data": [
            {"name": "LibriSpeech train-clean-100 (221 of 251 speakers, one utterance each)",
             "licence": "CC BY 4.0", "attribution": "LibriSpeech ASR corpus (c) 2014 Vassil Panayotov, Guoguo Chen, "
                                                    "Daniel Povey, Sanjeev Khudanpur"},
            {"name": "speechocean762 (180 of 250 speakers, 20 short utterances each; github.com/jimbozhang/speechocean762, "
                     "OpenSLR SLR101)",
             "licence": "free for commercial and non-commercial use (corpus README); Apache-2.0 on the authors' "
                        "Hugging Face card (mispeech/speechocean762)",
             "attribution": "speechocean762, Junbo Zhang, Zhiwen Zhang, Yongqing Wang, Zhiyong Yan, Qiong Song, "
                            "Yukai Huang, Ke Li, Daniel Povey, Yujun Wang (Interspeech 2021); SpeechOcean and Xiaomi"},
            {"name": "Debian asterisk-core-sounds-{en,es,ru}-wav, asterisk-prompt-it-menardi-wav "
                     "(speakers Allison Smith, Francesca Menardi, IvrvoiceRU; 160 prompts each)",
             "licence": "CC-BY-SA-3.0", "attribution": "Asterisk core sounds, Digium/Sangoma; voices by the named speakers"},
        ],
        "augmentation": "speed 0.9/1.1 copies as new speakers; white/pink/brown/babble noise 0-20 dB; synthetic "
                        "reverb; 8 kHz telephone band with mu-law; Opus 8-24 kbit/s and GSM codecs; noisy copies "
                        "through the product's denoiser (GTCRN)",
        "held_out": {"eval": "librispeech test-other-dev (5 speakers) + Debian June (fr_CA) and Carlo (it_IT male)",
                     "dev": "30 train-clean-100 speakers listed in training/speaker/README.md, and 60 speechocean762 "
                            "speakers (speechocean_dev); 10 more speechocean762 speakers are evaluation-only "
                            "(speechocean_eval)",
                     # the Node tooling (calibration, cohort, enrolment babble, evaluations) reads the splits from here
                     "dev_speakers": dev_speakers(), **speechocean_held_out()},
        "thresholds": {
            "accept": th["accept"],
            "margin": th["margin"],
            "note": "accept = cosine at 1% false accept on pooled held-out non-target trials "
                    "(dev + eval, clean/2 s/noise/telephone); margin = top-1 minus top-2 score "
                    "needed to name a speaker; otherwise answer 'unknown'",
            "eer_threshold_clean": round(r["eval"]["clean5"]["eer_threshold"], 3),
        },
        "min_speech_seconds": 2.0,
        "policy": "name a speaker only with >= 2 s of speech, cosine >= accept and top-1 minus top-2 >= margin; "
                  "under 1 s always answer unknown; subtract the device's mean embedding of its own unlabelled "
                  "audio when available (same-channel different speakers score high, see README)",
        "enrolment": "average the unit embeddings of >= 3 utterances (>= 2 s each), re-normalise",
        "results": {p: {c: {"eer": round(v["eer"], 4), "top1": round(v["top1"], 4)} for c, v in r[p].items()}
                    for p in r},
        "bench_3s_ms_p50_onnxruntime_node_1thread": round(b["p50_ms"], 2),
        "bench_3s_ms_min_onnxruntime_node_1thread": round(b["min_ms"], 2),
        "bench_note": f"measured on a 2-core machine shared with other jobs (load average {os.getloadavg()[0]:.1f}); "
                      "min is the best estimate of an idle core, re-bench on the target",
        "training": json.loads(a.extra),
    }
    with open(a.manifest, "w") as fh:
        json.dump(man, fh, indent=2)
        fh.write("\n")
    print("wrote", a.manifest)


if __name__ == "__main__":
    main()
