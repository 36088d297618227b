/**
 * The few protobuf wire-format operations a model derivation needs (ONNX files are protobuf): a message is read as
 * its list of fields, fields we do not touch keep their exact bytes, and the list is written back. No schema.
 */

export type Field =
  | { num: number; wire: 0; value: bigint }
  | { num: number; wire: 1 | 2 | 5; value: Uint8Array };

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (at >= buf.length) throw new Error('protobuf: truncated varint');
    const byte = buf[at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7n;
    if (shift > 63n) throw new Error('protobuf: varint too long');
  }
}

function writeVarint(out: number[], value: bigint): void {
  let v = value < 0n ? value + (1n << 64n) : value; // int64 negatives are 10-byte two's complement
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
}

export function decodeFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      fields.push({ num, wire, value });
      at = after;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      fields.push({ num, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw new Error('protobuf: truncated field');
      fields.push({ num, wire, value: buf.subarray(after, end) });
      at = end;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return fields;
}

export function encodeFields(fields: Field[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const field of fields) {
    const head: number[] = [];
    writeVarint(head, (BigInt(field.num) << 3n) | BigInt(field.wire));
    if (field.wire === 0) {
      writeVarint(head, field.value);
      chunks.push(Uint8Array.from(head));
    } else {
      if (field.wire === 2) writeVarint(head, BigInt(field.value.length));
      chunks.push(Uint8Array.from(head), field.value);
    }
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

export const text = (value: Uint8Array): string => utf8.decode(value);

export const bytesField = (num: number, value: Uint8Array | string): Field => ({
  num,
  wire: 2,
  value: typeof value === 'string' ? encoder.encode(value) : value,
});

export const varintField = (num: number, value: number | bigint): Field => ({
  num,
  wire: 0,
  value: BigInt(value),
});

/** The strings (or sub-message bytes) of a repeated length-delimited field. */
export function repeated(fields: Field[], num: number): Uint8Array[] {
  return fields.filter((f) => f.num === num && f.wire === 2).map((f) => f.value as Uint8Array);
}

/** A repeated int64 field, packed or not. */
export function int64s(fields: Field[], num: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.num !== num) continue;
    if (f.wire === 0) out.push(BigInt.asIntN(64, f.value));
    else if (f.wire === 2) {
      for (const v of decodePacked(f.value)) out.push(BigInt.asIntN(64, v));
    }
  }
  return out;
}

function decodePacked(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let at = 0; at < buf.length; ) {
    const [v, next] = readVarint(buf, at);
    out.push(v);
    at = next;
  }
  return out;
}

export function packedInt64s(num: number, values: readonly (number | bigint)[]): Field {
  const body: number[] = [];
  for (const v of values) writeVarint(body, BigInt(v));
  return { num, wire: 2, value: Uint8Array.from(body) };
}
