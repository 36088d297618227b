import { createHash } from 'node:crypto';
import {
  bytesField,
  decodeFields,
  encodeFields,
  type Field,
  int64s,
  packedInt64s,
  repeated,
  text,
  varintField,
} from './protobuf.js';

/**
 * Derives GTCRN's multi-frame streaming graph from the upstream one-frame export (`gtcrn_simple.onnx`, pinned sha256
 * below), at `npm run models:fetch` time, into MODEL_DIR.
 *
 * The upstream graph runs one STFT frame per call; its 415 nodes are tiny, so a call costs per-node dispatch on one
 * core whatever the arithmetic, paid every 16 ms of audio: most of the denoiser's time (BENCHMARKS.md, Audio).
 * Only a few places bake "one frame" into constants; rewritten, the same weights take T frames per call with the same
 * caches in and out, and give the same output (libs/audio/src/denoise/denoise.spec.ts checks it on real speech):
 *  1. subband unfold: Gather(time, [[0]]) → Unsqueeze(axis 3), and its Transpose keeps time in place;
 *  2. Reshape targets carrying the literal frame count 1 get -1 (or the channel count) there;
 *  3. convolution cache updates keep the LAST k frames of [cache, input] (Slice start −k) instead of dropping one;
 *  4. the intra-frame GRUs' zero initial state, shaped for batch 1 (= one frame), is left to the GRU default;
 *  5. `mix` / `enh` get a symbolic frame axis; intermediate shape annotations (all one-frame) and the constants no
 *     node reads any more are dropped.
 * Any other input is refused, and the edits are counted against what this export must need.
 */

export const GTCRN_UPSTREAM_SHA256 = 'b4718df6228e7bdf1a8a435cf98f838636eb2fd331acabf86ba87c5192ebcb87';

const RESHAPE_FIXES = new Map<string, number[]>([
  ['1,9,1,129', [1, 9, -1, 129]], // subband features of the encoder input
  ['1,24,1,33', [1, 24, -1, 33]], // subband features inside each gated temporal conv block
  ['1,-1,1,33', [1, 16, -1, 33]], // channel shuffle
  ['1,33,16', [-1, 33, 16]], // intra-frame RNN input of the first DPGRNN (batch = frames)
]);
const EXPECTED_EDITS = { unfold: 7, reshape: 14, cacheSlice: 6, initialState: 4 };

// ONNX field numbers (onnx.proto)
const MODEL = { docString: 6, graph: 7 };
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const ATTR = { name: 1, i: 3, ints: 8, type: 20, INTS: 7 };
const TENSOR = { dims: 1, dataType: 2, floatData: 4, int64Data: 7, name: 8, rawData: 9, INT64: 7 };

interface Node {
  inputs: string[];
  outputs: string[];
  opType: string;
  fields: Field[];
}

function parseNode(bytes: Uint8Array): Node {
  const fields = decodeFields(bytes);
  return {
    inputs: repeated(fields, NODE.input).map(text),
    outputs: repeated(fields, NODE.output).map(text),
    opType: text(repeated(fields, NODE.opType)[0] ?? new Uint8Array()),
    fields,
  };
}

function attribute(node: Node, name: string): Field[] | undefined {
  for (const raw of repeated(node.fields, NODE.attribute)) {
    const fields = decodeFields(raw);
    if (text(repeated(fields, ATTR.name)[0] ?? new Uint8Array()) === name) return fields;
  }
  return undefined;
}

const intAttr = (node: Node, name: string): bigint | undefined => {
  const f = attribute(node, name)?.find((x) => x.num === ATTR.i && x.wire === 0);
  return f?.wire === 0 ? BigInt.asIntN(64, f.value) : undefined;
};

const intsAttribute = (name: string, values: number[]): Field =>
  bytesField(
    NODE.attribute,
    encodeFields([bytesField(ATTR.name, name), packedInt64s(ATTR.ints, values), varintField(ATTR.type, ATTR.INTS)]),
  );

/** Rebuilds a node with new inputs and/or attributes, keeping its outputs, name and op type. */
function rebuild(node: Node, opType: string, inputs: string[], attributes?: Field[]): Field[] {
  const keep = node.fields.filter(
    (f) => f.num !== NODE.input && f.num !== NODE.opType && (attributes ? f.num !== NODE.attribute : true),
  );
  return [
    ...inputs.map((name) => bytesField(NODE.input, name)),
    ...keep.filter((f) => f.num !== NODE.attribute),
    bytesField(NODE.opType, opType),
    ...(attributes ?? keep.filter((f) => f.num === NODE.attribute)),
  ];
}

interface Initializer {
  dims: bigint[];
  ints?: bigint[]; // int64 values
  allZero: boolean;
}

function parseInitializer(bytes: Uint8Array): [string, Initializer] {
  const fields = decodeFields(bytes);
  const name = text(repeated(fields, TENSOR.name)[0] ?? new Uint8Array());
  const dims = int64s(fields, TENSOR.dims);
  const type = fields.find((f) => f.num === TENSOR.dataType && f.wire === 0);
  const raw = repeated(fields, TENSOR.rawData)[0];
  let ints: bigint[] | undefined;
  if (type?.wire === 0 && type.value === BigInt(TENSOR.INT64)) {
    if (raw) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      ints = Array.from({ length: raw.byteLength / 8 }, (_, i) => view.getBigInt64(8 * i, true));
    } else {
      ints = int64s(fields, TENSOR.int64Data);
    }
  }
  const data = raw ?? repeated(fields, TENSOR.floatData)[0] ?? new Uint8Array();
  return [name, { dims, ints, allZero: data.every((b) => b === 0) }];
}

function int64Initializer(name: string, values: number[]): Field {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return bytesField(
    GRAPH.initializer,
    encodeFields([
      packedInt64s(TENSOR.dims, [values.length]),
      varintField(TENSOR.dataType, TENSOR.INT64),
      bytesField(TENSOR.name, name),
      bytesField(TENSOR.rawData, raw),
    ]),
  );
}

/** `mix` / `enh`: dimension 2 (frames) becomes symbolic. */
function withFrameAxis(valueInfo: Uint8Array): Uint8Array {
  const info = decodeFields(valueInfo);
  const name = text(repeated(info, 1)[0] ?? new Uint8Array());
  if (name !== 'mix' && name !== 'enh') return valueInfo;
  const typeProto = decodeFields(repeated(info, 2)[0]!);
  const tensor = decodeFields(repeated(typeProto, 1)[0]!);
  const shape = decodeFields(repeated(tensor, 2)[0]!);
  let index = 0;
  const dims = shape.map((f) =>
    f.num === 1 && index++ === 2 ? bytesField(1, encodeFields([bytesField(2, 'frames')])) : f,
  );
  const rebuild = (fields: Field[], num: number, inner: Field[]) =>
    fields.map((f) => (f.num === num ? bytesField(num, encodeFields(inner)) : f));
  return encodeFields(rebuild(info, 2, rebuild(typeProto, 1, rebuild(tensor, 2, dims))));
}

export function deriveGtcrnMultiframe(upstream: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(upstream).digest('hex');
  if (digest !== GTCRN_UPSTREAM_SHA256) {
    throw new Error(`not the pinned upstream GTCRN export (sha256 ${digest})`);
  }
  const model = decodeFields(upstream);
  const graph = decodeFields(repeated(model, MODEL.graph)[0]!);
  const nodes = repeated(graph, GRAPH.node).map(parseNode);
  const initializers = new Map(repeated(graph, GRAPH.initializer).map(parseInitializer));
  const consumers = new Map<string, Node[]>();
  for (const node of nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const ints = (name: string | undefined) => (name === undefined ? undefined : initializers.get(name)?.ints);

  const added: Field[] = [];
  const addedNames = new Set<string>();
  const addInt64 = (name: string, values: number[]) => {
    if (!addedNames.has(name)) added.push(int64Initializer(name, values));
    addedNames.add(name);
    return name;
  };
  const counts = { unfold: 0, reshape: 0, cacheSlice: 0, initialState: 0 };
  const out: Field[] = [];
  const used = new Set<string>();
  for (const node of nodes) {
    let fields = node.fields;
    const index = ints(node.inputs[1]);
    if (node.opType === 'Gather' && intAttr(node, 'axis') === 2n && index?.length === 1 && index[0] === 0n) {
      // 1. unfold along time with kernel 1: Gather(axis 2, [[0]]) is Unsqueeze(axis 3) for any frame count
      fields = rebuild(node, 'Unsqueeze', [node.inputs[0]!], [intsAttribute('axes', [3])]);
      counts.unfold++;
    } else if (node.opType === 'Transpose') {
      const perm = attribute(node, 'perm');
      if (perm && int64s(perm, ATTR.ints).join(',') === '0,1,2,4,3,5') {
        // (B,C,T,kh,kw,F) → (B,C,kw,kh,T,F), so the Reshape to (B,C·kw,T,F) keeps time
        fields = rebuild(node, 'Transpose', node.inputs, [intsAttribute('perm', [0, 1, 4, 3, 2, 5])]);
      }
    } else if (node.opType === 'Reshape') {
      const fix = RESHAPE_FIXES.get(ints(node.inputs[1])?.join(',') ?? '');
      if (fix) {
        fields = rebuild(node, 'Reshape', [node.inputs[0]!, addInt64(`${node.inputs[1]}_frames`, fix)]);
        counts.reshape++;
      }
    } else if (node.opType === 'Slice' && node.inputs.length >= 4) {
      const [starts, ends, axes] = [1, 2, 3].map((i) => ints(node.inputs[i]));
      const stores = (consumers.get(node.outputs[0]!) ?? []).filter((c) => c.opType === 'ScatterND');
      if (starts?.join() === '1' && axes?.join() === '2' && (ends?.[0] ?? 0n) > 1n << 62n && stores.length === 1) {
        // 3. cache update: [cache(k), x(T)][1:] → [..][−k:], k read from the ScatterND index tensor that stores it
        const k = Number(initializers.get(stores[0]!.inputs[1]!)!.dims[2]);
        const inputs = [...node.inputs];
        inputs[1] = addInt64(`cache_keep_last_${node.outputs[0]}`, [-k]);
        fields = rebuild(node, 'Slice', inputs);
        counts.cacheSlice++;
      }
    } else if (node.opType === 'GRU' && node.inputs.length >= 6 && initializers.get(node.inputs[5]!)?.allZero) {
      // 4. zero initial state shaped [directions, 1, hidden] for a GRU whose batch is the frame count
      const inputs = [...node.inputs];
      inputs[5] = '';
      fields = rebuild(node, 'GRU', inputs);
      counts.initialState++;
    }
    for (const input of repeated(fields, NODE.input)) used.add(text(input));
    out.push(bytesField(GRAPH.node, encodeFields(fields)));
  }
  if (JSON.stringify(counts) !== JSON.stringify(EXPECTED_EDITS)) {
    throw new Error(`unexpected GTCRN graph: edits ${JSON.stringify(counts)}`);
  }
  // 5. frame axis on the spectrum in and out; no one-frame shape annotations
  const newGraph: Field[] = [];
  let nodesWritten = false;
  for (const f of graph) {
    if (f.num === GRAPH.node) {
      if (!nodesWritten) newGraph.push(...out);
      nodesWritten = true;
    } else if (f.num === GRAPH.valueInfo) continue;
    else if (f.num === GRAPH.initializer && !used.has(parseInitializer(f.value as Uint8Array)[0])) continue;
    else if (f.num === GRAPH.input || f.num === GRAPH.output) {
      newGraph.push(bytesField(f.num, withFrameAxis(f.value as Uint8Array)));
    } else newGraph.push(f);
  }
  newGraph.push(...added);
  return encodeFields([
    ...model.filter((f) => f.num !== MODEL.graph && f.num !== MODEL.docString),
    bytesField(
      MODEL.docString,
      `GTCRN (Rong et al., ICASSP 2024; MIT licence) streaming export sha256 ${GTCRN_UPSTREAM_SHA256}, rewritten ` +
        "by Mira's models:fetch to take any number of STFT frames per call with the same caches. Weights unchanged.",
    ),
    bytesField(MODEL.graph, encodeFields(newGraph)),
  ]);
}
