"""Run an ONNX model through onnxruntime-node (python onnxruntime is not installable here).

Needs `npm install onnxruntime-node@1.30.0` in training/speaker/.work/ort (train.sh does it),
or ORT_DIR pointing at an installed onnxruntime-node package.
"""
import os
import json
import subprocess
import tempfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(model, waves, out="embedding", inp="waveform"):
    """waves: list of 1-D float32 arrays -> list of output arrays (one per wave)."""
    with tempfile.TemporaryDirectory() as d:
        fi, fl, fo = (os.path.join(d, n) for n in ("in.f32", "len.json", "out.f32"))
        np.concatenate([np.asarray(w, np.float32) for w in waves]).tofile(fi)
        with open(fl, "w") as fh:
            json.dump([int(len(w)) for w in waves], fh)
        r = subprocess.run(["node", os.path.join(HERE, "ort_run.cjs"), model, fi, fl, fo, out, inp],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        dims = json.loads(r.stdout.strip().splitlines()[-1])
        flat = np.fromfile(fo, dtype=np.float32)
    res, off = [], 0
    for dm in dims:
        n = int(np.prod(dm))
        res.append(flat[off:off + n].reshape(dm))
        off += n
    return res


def bench(model, seconds=3.0, reps=200):
    r = subprocess.run(["node", os.path.join(HERE, "ort_run.cjs"), "--bench", model, str(seconds), str(reps)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])
