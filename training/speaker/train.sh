#!/usr/bin/env bash
# Rebuilds models/$MODEL.onnx + .json + .cohort.f16 from the allowed data and pins their sha256 in
# models/manifest.json (see README.md).
# usage: SPEECHOCEAN_DIR=/path/to/speechocean762 training/speaker/train.sh
# env:   SPEECHOCEAN_DIR (required: speechocean762's WAVE/, train/ and test/, see README.md)
#        MODEL (default mira-speaker-v2: a new name for a model trained differently, since voiceprints belong to
#               their model)
#        INIT_FROM (default ../../models/mira-speaker-v1.onnx: the network starts from that model's; "none" trains
#               from random weights)
#        TRAIN_STEPS (default 2000)  BATCH (default 96)  LR (default 1e-3)  THREADS (default 1)
#        W_NET (fusion weight; default: chosen on the dev split by fuse.py)
# The schedule is bound by the step count only, so the result does not depend on how busy the machine is
# (deterministic for a given thread count). An interrupted run continues with RESUME=1.
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
MODELS=../../models
MODEL=${MODEL:-mira-speaker-v2}
INIT_FROM=${INIT_FROM:-$MODELS/mira-speaker-v1.onnx}
WORK=.work
mkdir -p "$WORK" "$MODELS"
: "${SPEECHOCEAN_DIR:?set SPEECHOCEAN_DIR to speechocean762 (github.com/jimbozhang/speechocean762 or OpenSLR SLR101)}"
export SPEECHOCEAN_DIR

need_apt=()
$PY -c "import torch, onnx, numpy, scipy, soundfile" 2>/dev/null || need_apt+=(python3-torch python3-onnx python3-numpy python3-scipy python3-soundfile)
[ -d /usr/share/asterisk/sounds/fr_CA_f_June ] || need_apt+=(asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav asterisk-prompt-it-menardi-wav)
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_apt[@]}"
fi
# onnxruntime-node (same runtime as the app) for export checks and the ONNX evaluation;
# its postinstall only fetches optional GPU binaries, so it is skipped.
if [ ! -d "$WORK/ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$WORK/ort" && (cd "$WORK/ort" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0)
fi

T0=$(date +%s)
[ -f "$WORK/bank.npy" ] || $PY prep.py        # augmented feature bank  -> .work/bank.npy
$PY build.py lda --out "$WORK/lda.npz"        # statistics + LDA branch
INIT=()
if [ "$INIT_FROM" != none ]; then
  $PY warmstart.py "$INIT_FROM" "$WORK/init.pt"
  INIT=(--init "$WORK/init.pt")
fi
$PY train.py --steps "${TRAIN_STEPS:-2000}" --batch "${BATCH:-96}" --lr "${LR:-1e-3}" --threads "${THREADS:-1}" \
  "${INIT[@]}" ${RESUME:+--resume}
# fusion weight chosen on the DEV splits (held-out train-clean-100 and speechocean762 speakers), never on the evaluation
if [ -z "${W_NET:-}" ]; then
  $PY fuse.py "$WORK/net.pt" "$WORK/lda.npz"
  W_NET=$($PY -c "import json; print(json.load(open('$WORK/fuse.json'))['best'])")
fi
$PY build.py export --net "$WORK/net.pt" --lda "$WORK/lda.npz" --w-net "$W_NET" --out "$MODELS/$MODEL.onnx"
$PY eval.py --onnx "$MODELS/$MODEL.onnx" --json "$WORK/result.json"
$PY verify.py "$MODELS/$MODEL.onnx" "$WORK/result.json" "$MODELS/$MODEL.json" --kind fusion --name "$MODEL" \
  --extra "$(cat "$WORK/train_info.json")"
$PY pin.py "$MODEL" "$MODELS/$MODEL.onnx"
# the score-normalisation cohort belongs to the model that made it: rebuilt with that model, then pinned
(cd ../.. && npx tsx training/speaker/cohort.ts --model "$MODEL")
$PY pin.py "$MODEL-cohort" "$MODELS/$MODEL.cohort.f16"
echo "train.sh done in $(( ($(date +%s) - T0) / 60 )) min"
