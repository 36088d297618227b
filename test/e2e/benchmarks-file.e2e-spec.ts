import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCHMARK_AREAS,
  BENCHMARK_MEASURES,
  BENCHMARKS_FILE,
  parseBenchmarks,
  renderBenchmarks,
  writeBenchmark,
} from '../../tooling/benchmarks-file.js';
import { REPO_ROOT } from '../../tooling/shared-data.js';

const headings = (text: string) => text.split('\n').filter((line) => /^#{1,6} /.test(line));

describe('BENCHMARKS.md', () => {
  const text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const scripts = Object.keys(
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts,
  );

  it('is ordered by area, and is exactly what its writer renders (no hand-made drift)', () => {
    const doc = parseBenchmarks(text);
    expect(doc.areas.map((a) => a.heading)).toEqual([...BENCHMARK_AREAS]);
    expect(renderBenchmarks(doc)).toBe(text);
  });

  it('names, in every measure heading, an npm script that exists', () => {
    for (const area of parseBenchmarks(text).areas) {
      for (const measure of area.measures) {
        const command = /\(npm run ([\w:-]+)\)$/.exec(measure.heading)?.[1];
        expect({ measure: measure.heading, command: command && scripts.includes(command) }).toEqual({
          measure: measure.heading,
          command: true,
        });
      }
    }
  });

  it('never glues a heading to what follows it (a blank line after every heading)', () => {
    const lines = text.split('\n');
    const glued = lines.filter((line, i) => /^#{1,6} /.test(line) && lines[i + 1] !== '');
    expect(glued).toEqual([]);
  });
});

describe('the BENCHMARKS.md writer', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'mira-benchmarks-')), 'BENCHMARKS.md');

  it('keeps the areas in their order whatever order the commands run in, and replaces only its own block', () => {
    const path = file();
    writeBenchmark(
      { area: 'Speakers', measure: 'Models (npm run eval:x)', body: '| a |\n|---|\n| 1 |' },
      path,
    );
    writeBenchmark({ area: 'API', measure: 'Throughput (npm run bench:y)', body: 'first' }, path);
    writeBenchmark({ area: 'Audio', measure: 'Speed (npm run bench:z)', body: 'audio' }, path);
    writeBenchmark({ area: 'API', measure: 'Throughput (npm run bench:y)', body: 'second' }, path);
    const written = readFileSync(path, 'utf8');
    expect(headings(written)).toEqual([
      '# Benchmarks',
      '## API',
      '### Throughput (npm run bench:y)',
      '## Audio',
      '### Speed (npm run bench:z)',
      '## Speakers',
      '### Models (npm run eval:x)',
    ]);
    expect(written).toContain('second');
    expect(written).not.toContain('first');
    expect(written).toContain('### Models (npm run eval:x)\n\n| a |');
  });

  it('puts the latest run of a measure that keeps several runs first, replacing its older self', () => {
    const path = file();
    const run = (name: string, body: string) =>
      writeBenchmark(
        { area: 'Streams', measure: BENCHMARK_MEASURES.arbitration, run: name, intro: 'Scenes.', body },
        path,
      );
    run('Seed 7 (development)', 'seven, old');
    run('Seed 11 (held out, the default)', 'eleven');
    run('Seed 7 (development)', 'seven, new');
    const written = readFileSync(path, 'utf8');
    expect(headings(written).filter((h) => h.startsWith('#### '))).toEqual([
      '#### Seed 7 (development)',
      '#### Seed 11 (held out, the default)',
    ]);
    expect(written).toContain('seven, new');
    expect(written).not.toContain('seven, old');
    expect(written.indexOf('Scenes.')).toBeLessThan(written.indexOf('#### Seed 7'));
  });
});
