#!/usr/bin/env node
// Runs the whole jest suite and ends with the plain line our CI reads: "N passed, N failed". Above it, one
// "FAILED <suite> › <test title>" line per failing test (and per suite that failed to load), so a red run
// can be read from the last lines of its log.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';

const extra = process.argv.slice(2);
mkdirSync('.tmp', { recursive: true });
const out = '.tmp/jest-results.json';
rmSync(out, { force: true });
const jest = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--json', `--outputFile=${out}`, ...extra],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
const failures = [];
if (existsSync(out)) {
  const results = JSON.parse(readFileSync(out, 'utf8'));
  passed = results.numPassedTests;
  // A suite that fails to load has no failing test but is a failure all the same.
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  for (const suite of results.testResults ?? []) {
    const file = relative(process.cwd(), suite.name);
    const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failedTests)
      failures.push(`FAILED ${file} › ${[...(test.ancestorTitles ?? []), test.title].join(' › ')}`);
    if (failedTests.length === 0 && suite.status === 'failed') {
      const reason =
        String(suite.message ?? '')
          .split('\n')
          .map((line) => line.trim())
          .find((line) => line !== '' && !line.includes('Test suite failed to run')) ?? '';
      failures.push(`FAILED ${file} › (suite did not run) ${reason.trim().slice(0, 200)}`);
    }
  }
} else {
  failed = 1;
  failures.push('FAILED (jest wrote no results: it crashed or was killed)');
}
if (failures.length > 0) console.log(`\nFailing tests (${failures.length}):\n${failures.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);
