/**
 * Builds models/mira-mfcc-baseline-v1.onnx: the WEAK default speaker embedding used until a trained network exists.
 *
 *   waveform f32[1,N] 16 kHz → STFT (512-point Hann, hop 160) → power → 40 mel bands (20–7600 Hz) → log
 *   → DCT-II → MFCC c1..c19 → per-utterance mean and standard deviation (38 values)
 *   → standardise with the mean/std of those 38 values over LibriSpeech train-clean-100 (251 speakers)
 *   → embedding f32[1,38] (L2-normalised)
 *
 * Usage: npm run models:build-baseline [-- --data DIR] (default: LibriSpeech train-clean-100 of tooling/shared-data.ts)
 * Deterministic: the same data gives the same bytes. The sha256 is written into models/manifest.json.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { LIBRISPEECH_TRAIN_DIR } from '../tooling/shared-data.js';
import * as ort from 'onnxruntime-node';
import { AudioPipeline, repoModelsDir } from '@mira/audio';
import { parseConfig } from '@mira/core';

const { onnx } = onnxProto;
const NAME = 'mira-mfcc-baseline-v1';
const N_FFT = 512;
const HOP = 160;
const MELS = 40;
const CEPS = 19; // c1..c19

const F = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], values: ArrayLike<number>) {
  return onnx.TensorProto.create({ name, dataType: F, dims, floatData: Array.from(values) });
}
function intTensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dataType: I64, dims, int64Data: values });
}
function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, number | number[]> = {},
) {
  return onnx.NodeProto.create({
    opType: op,
    input: inputs,
    output: outputs,
    name: outputs[0],
    attribute: Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
        : Number.isInteger(v)
          ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v })
          : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v }),
    ),
  });
}

function buildModel(stats?: { mean: Float32Array; std: Float32Array }): Uint8Array {
  const hannWindow = new Float32Array(N_FFT);
  for (let i = 0; i < N_FFT; i++) hannWindow[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT);
  const dct = new Float32Array(MELS * CEPS);
  for (let m = 0; m < MELS; m++) {
    for (let c = 1; c <= CEPS; c++) {
      dct[m * CEPS + (c - 1)] = Math.sqrt(2 / MELS) * Math.cos((Math.PI * c * (m + 0.5)) / MELS);
    }
  }
  const initializer = [
    floatTensor('window', [N_FFT], hannWindow),
    intTensor('hop', [], [HOP]),
    intTensor('axis2', [1], [2]),
    intTensor('axis1', [1], [1]),
    intTensor('axisLast', [1], [-1]),
    intTensor('melBins', [], [MELS]),
    intTensor('dftLen', [], [N_FFT]),
    intTensor('sr', [], [16000]),
    floatTensor('lowHz', [], [20]),
    floatTensor('highHz', [], [7600]),
    floatTensor('eps', [], [1e-6]),
    floatTensor('dct', [MELS, CEPS], dct),
    floatTensor('tiny', [], [1e-12]),
  ];
  const nodes = [
    node('Unsqueeze', ['waveform', 'axis2'], ['signal']),
    node('STFT', ['signal', 'hop', 'window'], ['spec'], { onesided: 1 }),
    node('Mul', ['spec', 'spec'], ['spec2']),
    node('ReduceSum', ['spec2', 'axisLast'], ['power'], { keepdims: 0 }),
    node('MelWeightMatrix', ['melBins', 'dftLen', 'sr', 'lowHz', 'highHz'], ['mel'], { output_datatype: F }),
    node('MatMul', ['power', 'mel'], ['melPower']),
    node('Add', ['melPower', 'eps'], ['melPowerEps']),
    node('Log', ['melPowerEps'], ['logMel']),
    node('MatMul', ['logMel', 'dct'], ['mfcc']),
    node('ReduceMean', ['mfcc'], ['mean'], { axes: [1], keepdims: 1 }),
    node('Sub', ['mfcc', 'mean'], ['centred']),
    node('Mul', ['centred', 'centred'], ['sq']),
    node('ReduceMean', ['sq'], ['var'], { axes: [1], keepdims: 0 }),
    node('Sqrt', ['var'], ['std']),
    node('Squeeze', ['mean', 'axis1'], ['mean2']),
    node('Concat', ['mean2', 'std'], ['stats'], { axis: 1 }),
  ];
  let last = 'stats';
  if (!stats) return encode(nodes, initializer, 'stats');
  {
    initializer.push(floatTensor('popMean', [1, 2 * CEPS], stats.mean));
    initializer.push(floatTensor('popStd', [1, 2 * CEPS], stats.std));
    nodes.push(node('Sub', ['stats', 'popMean'], ['statsC']));
    nodes.push(node('Div', ['statsC', 'popStd'], ['statsZ']));
    last = 'statsZ';
  }
  nodes.push(node('Mul', [last, last], ['z2']));
  nodes.push(node('ReduceSum', ['z2', 'axisLast'], ['z2sum'], { keepdims: 1 }));
  nodes.push(node('Add', ['z2sum', 'tiny'], ['z2sumEps']));
  nodes.push(node('Sqrt', ['z2sumEps'], ['norm']));
  nodes.push(node('Div', [last, 'norm'], ['embedding']));
  return encode(nodes, initializer, 'embedding');
}

function encode(
  nodes: ReturnType<typeof node>[],
  initializer: ReturnType<typeof floatTensor>[],
  outputName: string,
): Uint8Array {
  const valueInfo = (name: string, dims: Array<number | string>) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: F,
          shape: onnx.TensorShapeProto.create({
            dim: dims.map((d) =>
              typeof d === 'number'
                ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
                : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
            ),
          }),
        }),
      }),
    });
  const graph = onnx.GraphProto.create({
    name: NAME,
    node: nodes,
    initializer,
    input: [valueInfo('waveform', [1, 'samples'])],
    output: [valueInfo(outputName, [1, 2 * CEPS])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mira scripts/build-baseline-speaker-model.ts',
    modelVersion: 1,
    docString: 'WEAK baseline speaker embedding: standardised MFCC mean+std (not a trained network)',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 })],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

const args = process.argv.slice(2);
const dataDir = args.includes('--data') ? args[args.indexOf('--data') + 1]! : LIBRISPEECH_TRAIN_DIR;

const config = parseConfig({ DATA_DIR: '/tmp/mira-build-baseline', MODEL_DIR: '/nonexistent' }, '0');
const pipeline = await AudioPipeline.create({ modelDir: config.modelDir, audio: config.audio });
const rawSession = await ort.InferenceSession.create(buildModel());
const files = readdirSync(dataDir)
  .filter((f) => f.endsWith('.flac'))
  .sort();
const rows: Float32Array[] = [];
for (const file of files) {
  const decoded = await pipeline.decode(readFileSync(join(dataDir, file)));
  // three 4 s pieces per utterance so the statistics also see within-speaker variation
  for (let start = 0; start + 4 * 16000 <= decoded.samples.length && start < 12 * 16000; start += 4 * 16000) {
    const piece = decoded.samples.slice(start, start + 4 * 16000);
    const out = await rawSession.run({ waveform: new ort.Tensor('float32', piece, [1, piece.length]) });
    rows.push(Float32Array.from(out.stats!.data as Float32Array));
  }
}
// the raw graph normalises "stats" too, so fetch it by name: rebuild outputs
const dim = 2 * CEPS;
const mean = new Float32Array(dim);
const std = new Float32Array(dim);
for (const row of rows) for (let i = 0; i < dim; i++) mean[i] += row[i]! / rows.length;
for (const row of rows) for (let i = 0; i < dim; i++) std[i] += (row[i]! - mean[i]!) ** 2 / rows.length;
for (let i = 0; i < dim; i++) std[i] = Math.sqrt(std[i]!) + 1e-6;
const bytes = buildModel({ mean, std });
const out = join(repoModelsDir(), `${NAME}.onnx`);
writeFileSync(out, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
const manifestPath = join(repoModelsDir(), 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
  models: Array<{ name: string; sha256: string | null }>;
};
for (const entry of manifest.models) if (entry.name === NAME) entry.sha256 = sha;
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(
  `${out}: ${bytes.length} bytes, sha256 ${sha}, statistics from ${rows.length} pieces of ${files.length} files`,
);
pipeline.close();
