import { AudioErrors } from '../audio.errors.js';
import { SAMPLE_RATE } from '../audio.types.js';
import { sniffContainer } from './sniff.js';

/** What the first bytes of a long upload say, before the rest has arrived (AudioService.inspectUploadHead). */
export interface UploadHead {
  container: 'wav' | 'flac' | 'mp3' | 'ogg' | 'webm' | 'pcm16';
  /**
   * For WAV and raw PCM, how many bytes make one second and where the samples start: the length follows from the size
   * (a long upload can be refused while it arrives). Null for compressed formats (known once decoded).
   */
  bytesPerSecond: number | null;
  dataOffset: number;
}

/** Bytes to collect before calling inspectUploadHead (two MP3 frames, a WAV header with its other chunks). */
export const UPLOAD_HEAD_BYTES = 8192;

/** MIME types that can never be audio: refuse them rather than read text as PCM. */
const NON_AUDIO_MIME =
  /^(text\/|application\/(json|xml|pdf|zip|x-www-form-urlencoded))|^image\/|^video\/(?!webm)/i;

/**
 * The container of an upload from its first bytes (up to UPLOAD_HEAD_BYTES; fewer when the file is shorter).
 * Throws AUDIO_UNDECODABLE (415) for a container Mira does not decode or a non-audio MIME type on headerless bytes.
 */
export function inspectUploadHead(head: Uint8Array, mimetype?: string): UploadHead {
  const container = sniffContainer(head);
  if (typeof container !== 'string') {
    throw AudioErrors.undecodable(
      `${container.unsupported} audio is not supported; send WAV, FLAC, MP3, Ogg/Opus, WebM/Opus or raw PCM16LE 16 kHz`,
    );
  }
  if (container === 'pcm16') {
    if (mimetype !== undefined && NON_AUDIO_MIME.test(mimetype)) {
      throw AudioErrors.undecodable(`Content of type ${mimetype} is not audio`);
    }
    return { container, bytesPerSecond: SAMPLE_RATE * 2, dataOffset: 0 };
  }
  if (container === 'wav') return { container, ...wavRate(head) };
  return { container, bytesPerSecond: null, dataOffset: 0 };
}

/** Bytes per second (fmt block align × rate) and where the data chunk starts, when the head shows both. */
function wavRate(head: Uint8Array): Pick<UploadHead, 'bytesPerSecond' | 'dataOffset'> {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let offset = 12;
  let bytesPerSecond: number | null = null;
  while (offset + 8 <= head.length) {
    const id = String.fromCharCode(...head.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 24 <= head.length) {
      const rate = view.getUint32(offset + 12, true);
      const blockAlign = view.getUint16(offset + 20, true);
      if (rate > 0 && blockAlign > 0) bytesPerSecond = rate * blockAlign;
    } else if (id === 'data') {
      return { bytesPerSecond, dataOffset: offset + 8 };
    }
    offset += 8 + size + (size % 2);
  }
  return { bytesPerSecond: null, dataOffset: 0 };
}
