import * as ort from 'onnxruntime-node';
import { unitVector } from '@mira/core/util';
import type { ModelEntry, SpeakerInputSpec } from '../models/manifest.js';
import type { SpeakerScoreNormaliser } from './cohort-normaliser.js';
import { computeFbank } from './fbank.js';
import type { SpeakerEmbedder } from './speaker-embedder.port.js';

/**
 * Any ONNX speaker model described by a manifest entry: input kind `waveform` (float32 [1, N]) or `fbank`
 * (float32 [1, T, bins], Kaldi-style, computed here), output the embedding ([1, D] or [D]). The output is
 * L2-normalised here whatever the model does, so cosine similarity is a dot product.
 */
export class OnnxSpeakerEmbedder implements SpeakerEmbedder {
  readonly modelId: string;
  readonly weak: boolean;
  readonly limitations: string | null;
  private readonly spec: SpeakerInputSpec;
  private readonly inputName: string;
  private readonly outputName: string;
  dimension: number;
  /** Attached by the pipeline when the model's cohort file is present and verified. */
  normaliser: SpeakerScoreNormaliser | null = null;

  private constructor(
    private readonly session: ort.InferenceSession,
    entry: ModelEntry,
  ) {
    this.modelId = entry.name;
    this.weak = entry.weak ?? false;
    this.limitations = entry.limitations ?? null;
    this.spec = (entry.input as SpeakerInputSpec | undefined) ?? { kind: 'waveform' };
    this.inputName = this.spec.name ?? session.inputNames[0]!;
    this.outputName = entry.output ?? session.outputNames[0]!;
    this.dimension = entry.dimension ?? 0;
  }

  /** Creates the embedder and, when the manifest does not state the dimension, learns it from one probe run. */
  static async create(session: ort.InferenceSession, entry: ModelEntry): Promise<OnnxSpeakerEmbedder> {
    const embedder = new OnnxSpeakerEmbedder(session, entry);
    if (!session.inputNames.includes(embedder.inputName)) {
      throw new Error(`model ${entry.name} has no input named ${embedder.inputName}`);
    }
    const probe = new Float32Array(16000);
    for (let i = 0; i < probe.length; i++) probe[i] = 0.1 * Math.sin((2 * Math.PI * 220 * i) / 16000);
    const vector = await embedder.embed(probe);
    if (embedder.dimension && vector.length !== embedder.dimension) {
      throw new Error(
        `model ${entry.name} returned ${vector.length} values, manifest says ${embedder.dimension}`,
      );
    }
    embedder.dimension = vector.length;
    return embedder;
  }

  async embed(samples: Float32Array): Promise<Float32Array> {
    let input: ort.Tensor;
    if (this.spec.kind === 'fbank') {
      const bins = this.spec.numMelBins ?? 80;
      const { data, frames } = computeFbank(samples, {
        numMelBins: bins,
        frameLengthMs: this.spec.frameLengthMs ?? 25,
        frameShiftMs: this.spec.frameShiftMs ?? 10,
        cmn: this.spec.cmn ?? true,
      });
      input = new ort.Tensor('float32', data, [1, frames, bins]);
    } else {
      input = new ort.Tensor('float32', Float32Array.from(samples), [1, samples.length]);
    }
    const result = await this.session.run({ [this.inputName]: input });
    const raw = result[this.outputName]!.data as Float32Array;
    return unitVector(raw);
  }
}
