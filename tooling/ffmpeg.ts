import { spawnSync } from 'node:child_process';

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure ffmpeg exists: tests encode their fixtures with it and the streams tools read FLAC with it (installs the
 * Debian package when running as root, as on a fresh CI machine).
 */
export function ensureFfmpeg(): void {
  if (hasFfmpeg()) return;
  if (process.getuid?.() === 0) {
    // A fresh machine has no package lists yet; parallel workers wait for each other's dpkg lock.
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
    spawnSync('apt-get', [...lock, 'install', '-y', '-q', 'ffmpeg'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (!hasFfmpeg())
    throw new Error('ffmpeg is needed to make and read audio fixtures: apt-get install ffmpeg');
}
