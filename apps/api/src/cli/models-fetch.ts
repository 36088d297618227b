/**
 * npm run models:fetch [-- --mirror DIR] [--model-dir DIR] [--offline]
 *
 * Puts the manifest's MODEL_DIR models (models/manifest.json, location "model-dir") into MODEL_DIR: downloads them
 * from their pinned source URLs, or copies them from a local mirror directory (searched by file name), and verifies
 * each sha256 before the file is moved into place. Repo models (committed) and npm models are only verified.
 * Exit code 1 when a model could not be fetched or a checksum does not match.
 */
import { fetchModels, loadManifest, repoModelsDir, resolveModels } from '@mira/audio';
import { AppConfig } from '@mira/core';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const modelDirArg = option(args, '--model-dir');
  const config = AppConfig.fromEnvironment(process.env, modelDirArg ? { MODEL_DIR: modelDirArg } : {});
  const modelDir = config.values.modelDir;
  const manifest = loadManifest();
  const results = await fetchModels(manifest.models, modelDir, {
    mirror: option(args, '--mirror'),
    download: !args.includes('--offline'),
  });
  let failed = 0;
  for (const r of results) {
    if (r.action === 'failed') failed++;
    console.log(`${r.action.padEnd(10)} ${r.name} (${r.file})${r.detail ? `: ${r.detail}` : ''}`);
  }
  const resolved = await resolveModels(manifest.models, { modelDir, repoModelsDir: repoModelsDir() });
  for (const model of resolved.filter((r) => r.entry.location !== 'model-dir')) {
    if (model.check === 'mismatch') failed++;
    console.log(`${model.check.padEnd(10)} ${model.entry.name} (${model.path})`);
  }
  console.log(`model directory: ${modelDir}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
