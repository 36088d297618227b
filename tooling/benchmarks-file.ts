/**
 * The one writer of BENCHMARKS.md. The file is ordered by area (`## API`, `## Audio`, `## Streams`, `## Speakers`);
 * under an area each measure is one `### <measure> (npm run <command>)` block, written by one command. A command
 * re-run replaces its block. A measure that keeps several runs side by side (one per seed, one per speaker model) holds
 * them as `#### <run>` blocks, the latest first. Every heading is followed by a blank line (never glued to a table).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './shared-data.js';

export const BENCHMARK_AREAS = ['API', 'Audio', 'Streams', 'Speakers'] as const;
export type BenchmarkArea = (typeof BENCHMARK_AREAS)[number];

export interface BenchmarkBlock {
  area: BenchmarkArea;
  /** The `###` heading: what is measured and the command that measures it. */
  measure: string;
  /** For a measure that keeps several runs: this run's `####` heading; it goes first, replacing its older self. */
  run?: string;
  /** For a measure that keeps several runs: the text above them (kept when not given). */
  intro?: string;
  body: string;
}

interface Measure {
  heading: string;
  intro: string;
  runs: Array<{ heading: string; body: string }> | null;
}
interface Area {
  heading: string;
  intro: string;
  measures: Measure[];
}
interface Document {
  preamble: string;
  areas: Area[];
}

export const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');

/** Writes one block into BENCHMARKS.md (or `file`), keeping every other block and the order of the areas. */
export function writeBenchmark(block: BenchmarkBlock, file = BENCHMARKS_FILE): void {
  const doc = parseBenchmarks(existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n');
  let area = doc.areas.find((a) => a.heading === block.area);
  if (!area) {
    area = { heading: block.area, intro: '', measures: [] };
    doc.areas.push(area);
  }
  let measure = area.measures.find((m) => m.heading === block.measure);
  if (!measure) {
    measure = { heading: block.measure, intro: '', runs: null };
    area.measures.push(measure);
  }
  if (block.run === undefined) {
    measure.intro = block.body;
    measure.runs = null;
  } else {
    if (block.intro !== undefined) measure.intro = block.intro;
    const others = (measure.runs ?? []).filter((r) => r.heading !== block.run);
    measure.runs = [{ heading: block.run, body: block.body }, ...others];
  }
  writeFileSync(file, renderBenchmarks(doc));
}

/** Splits the file into areas, measures and runs. `####` headings are runs only in a measure written with runs. */
export function parseBenchmarks(text: string): Document {
  const [preamble, ...areaParts] = splitAt(text, '## ');
  return {
    preamble: preamble!,
    areas: areaParts.map((part) => {
      const [heading, rest] = headingAndRest(part, '## ');
      const [intro, ...measureParts] = splitAt(rest, '### ');
      return {
        heading,
        intro: intro!,
        measures: measureParts.map((m) => {
          const [measureHeading, body] = headingAndRest(m, '### ');
          const [measureIntro, ...runParts] = splitAt(body, '#### ');
          const runs = runParts.map((r) => {
            const [runHeading, runBody] = headingAndRest(r, '#### ');
            return { heading: runHeading, body: runBody };
          });
          // A block whose `####` parts are sections of one run (eval:audio) stays one body.
          return RUN_MEASURES.has(measureHeading) && runs.length > 0
            ? { heading: measureHeading, intro: measureIntro!, runs }
            : { heading: measureHeading, intro: body, runs: null };
        }),
      };
    }),
  };
}

/** The measures that keep several runs as `####` blocks (their writers pass `run`). */
export const BENCHMARK_MEASURES = {
  arbitration: 'Arbitration accuracy (npm run eval:arbitration)',
  pipelineIdentification: 'Identification through the pipeline (npm run eval:speakers:pipeline)',
  speakerCalibration: 'Speaker policy calibration on the dev split (npm run eval:speakers:calibrate)',
} as const;
const RUN_MEASURES = new Set<string>(Object.values(BENCHMARK_MEASURES));

export function renderBenchmarks(doc: Document): string {
  const known = BENCHMARK_AREAS.map((name) => doc.areas.find((a) => a.heading === name)).filter(
    (a): a is Area => a !== undefined,
  );
  const others = doc.areas.filter((a) => !(BENCHMARK_AREAS as readonly string[]).includes(a.heading));
  const parts: string[] = [doc.preamble];
  for (const area of [...known, ...others]) {
    parts.push(`## ${area.heading}`, area.intro);
    for (const measure of area.measures) {
      parts.push(`### ${measure.heading}`, measure.intro);
      for (const run of measure.runs ?? []) parts.push(`#### ${run.heading}`, run.body);
    }
  }
  const text = parts
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .join('\n\n');
  // Headings inside a body (a run's sections) get their blank line too.
  return `${text.replace(/^(#{1,6} [^\n]*)\n(?!\n)/gm, '$1\n\n')}\n`;
}

/** The machine line every block carries: CPU, memory, Node, load average, and the date of the run. */
export function machineLine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join('/');
  return (
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}, load average at start ${load}; run ${new Date().toISOString().slice(0, 16)}Z`
  );
}

function splitAt(text: string, marker: string): string[] {
  const lines = text.split('\n');
  const parts: string[][] = [[]];
  let fenced = false;
  for (const line of lines) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && line.startsWith(marker)) parts.push([]);
    parts[parts.length - 1]!.push(line);
  }
  return parts.map((p) => p.join('\n'));
}

function headingAndRest(part: string, marker: string): [string, string] {
  const newline = part.indexOf('\n');
  const first = newline < 0 ? part : part.slice(0, newline);
  return [first.slice(marker.length).trim(), newline < 0 ? '' : part.slice(newline + 1)];
}
