import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The record's file name inside MODEL_DIR. */
export const CHECKSUM_RECORD_FILE = '.model-checksums.json';

interface RecordedChecksum {
  size: number;
  /** Whole seconds: an image layer (tar) or a copy may keep the second and drop its fraction. */
  mtime: number;
  sha256: string;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: a model of a few MB is a handful of chunks, not one per 64 KiB
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The sha256 of each model file, kept in MODEL_DIR (`.model-checksums.json`) with the file's size and modification
 * time: a start reads the record instead of reading and hashing every model again (~9 MB, ~50 ms of a start's CPU).
 * A file whose size or modification time differs from its record is hashed again, so a model replaced, fetched again
 * or edited is checked as before; a file rewritten with the same size and its old modification time put back is not
 * (the checksum guards against a wrong or damaged download, not against someone who can write MODEL_DIR).
 * `npm run models:fetch` writes the record (the image's build does); a server that hashed a file writes it when it
 * may (a read-only MODEL_DIR keeps the record it has).
 */
export class ChecksumRecord {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Record<string, RecordedChecksum>,
  ) {}

  static async open(modelDir: string): Promise<ChecksumRecord> {
    const file = join(modelDir, CHECKSUM_RECORD_FILE);
    let entries: Record<string, RecordedChecksum> = {};
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        entries = parsed as Record<string, RecordedChecksum>;
    } catch {
      // no record yet, or unreadable: every file is hashed
    }
    return new ChecksumRecord(file, entries);
  }

  /** The file's sha256: from the record when its size and modification time are the recorded ones, else computed. */
  async sha256(path: string): Promise<string> {
    const stats = await stat(path);
    const size = stats.size;
    const mtime = Math.floor(stats.mtimeMs / 1000);
    const recorded = this.entries[path];
    if (
      recorded &&
      recorded.size === size &&
      recorded.mtime === mtime &&
      typeof recorded.sha256 === 'string'
    )
      return recorded.sha256;
    const sha256 = await sha256File(path);
    this.entries[path] = { size, mtime, sha256 };
    this.changed = true;
    return sha256;
  }

  /** Writes the record if a file was hashed; false when it could not be written (a read-only MODEL_DIR). */
  async save(): Promise<boolean> {
    if (!this.changed) return true;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(this.entries, null, 2)}\n`);
      await rename(temp, this.file);
      this.changed = false;
      return true;
    } catch {
      return false;
    }
  }
}
