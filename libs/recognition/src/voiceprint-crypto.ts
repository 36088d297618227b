import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Voiceprints at rest: AES-256-GCM over the float32 vector, with the network and model ids as associated data
 * (a ciphertext copied into another network or relabelled with another model does not decrypt; a merge may move
 * it to another person of the same network). Layout: version(1) iv(12) tag(16) data.
 */
export class VoiceprintCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The voiceprint key must be 32 bytes');
  }

  encrypt(vector: Float32Array, aad: VoiceprintAad): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadBytes(aad));
    const plain = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), data]);
  }

  decrypt(blob: Buffer, aad: VoiceprintAad): Float32Array {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) {
      throw new Error('Unknown voiceprint encoding');
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(aadBytes(aad));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    const out = new Float32Array(plain.length / 4);
    Buffer.from(out.buffer).set(plain);
    return out;
  }
}

export interface VoiceprintAad {
  networkId: string;
  modelId: string;
}

function aadBytes(aad: VoiceprintAad): Buffer {
  return Buffer.from(`mira-voiceprint:${aad.networkId}:${aad.modelId}`, 'utf8');
}
