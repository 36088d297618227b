/**
 * npm run eval:speakers:pipeline — speaker identification through the REAL pipeline: HTTP enrolment, HTTP stream ingestion,
 * the job queue (arbitration → utterance.process), interactions and persons read back over HTTP. Real PostgreSQL,
 * real ONNX. Every figure is the product's: nothing here decides, it only counts.
 *
 * Protocol (one network, devices streaming with realistic clocks: each chunk starts after the previous one ended):
 * 1. each test-other-dev speaker (LibriSpeech, 5 × 10 utterances) is a named person enrolled with its first 3
 *    utterances; its other 7 are streamed, interleaved across speakers, clean and then again in babble of the other
 *    four at 5 dB;
 * 2. short turns: each speaker's 5 s turn is followed a second later, on the same device, by a 1.5 s segment of
 *    another of its utterances (continuation), and by a 1.5 s segment of the next speaker (a change of speaker);
 * 3. never-enrolled speakers, one utterance each: 10 train-clean-100 speakers held out of the model's training, and
 *    10 speechocean762 speakers held out for evaluation (SPEECHOCEAN_DIR);
 * 4. strangers who keep talking: 5 of those speechocean762 speakers each say 7 utterances, then 6 more later; how many
 *    new persons each becomes, and how often they are named once their person exists.
 * Writes its model's run of "Identification through the pipeline" in BENCHMARKS.md (Speakers), first.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { AudioService, babble, mixAtSnr } from '@mira/audio';
import { encodeWav16 } from '@mira/core';
import { SpeakerIdentificationService } from '@mira/recognition';
import { registerClient, startTestApp, userWithNetwork } from '../test/support/app.js';
import { BENCHMARK_MEASURES, writeBenchmark } from '../tooling/benchmarks-file.js';
import { librispeechDevFiles, librispeechTrainFiles } from '../tooling/shared-data.js';
import { DEV_SPEAKERS, enrolVoice, streamUtterance } from '../test/support/speech.js';
import { DeviceTimeline } from '../test/support/device-timeline.js';
import { waitFor } from '../test/support/wait.js';
import { devSplitSpeakers, speakerOfFile, speechoceanHeldOut } from './lib.js';

const ENROL = 3;
const SR = 16000;

interface Row {
  person_id: string | null;
  metadata: { speaker?: { decision?: string; reason?: string; model_id?: string; weak_model?: boolean } };
  processing_status: string;
}

it('speaker identification through the pipeline', async () => {
  const t = await startTestApp({
    TRANSCRIBER: 'none',
    JOBS_POLL_INTERVAL_MS: '50',
    STREAM_ARBITRATION_WINDOW_MS: '100',
  });
  const started = Date.now();
  try {
    const audio = t.app.get(AudioService);
    await audio.speakerModels(); // the engines are ready
    const model = audio.engines().speaker?.model ?? '';
    const { session, networkId } = await userWithNetwork(t);
    const devices = new Map<string, { Authorization: string }>();
    const device = async (name: string) => {
      if (!devices.has(name)) devices.set(name, await registerClient(t, session, networkId, name));
      return devices.get(name)!;
    };
    const decode = async (file: string) => (await audio.decode(readFileSync(file))).samples;
    const crop = (x: Float32Array, seconds: number, at = 0) => {
      const n = Math.min(x.length, Math.round(seconds * SR));
      const start = Math.floor((x.length - n) * at);
      return x.slice(start, start + n);
    };
    // one timeline for the network's devices (DeviceTimeline: a device's gaps are its own, two devices never overlap)
    const timeline = new DeviceTimeline();
    const submit = async (deviceName: string, samples: Float32Array, gap = 1): Promise<Row> => {
      const mic = await device(deviceName);
      const chunkId = await timeline.send(deviceName, samples.length / SR, gap, (at) =>
        streamUtterance(t, mic, networkId, deviceName, encodeWav16(samples, SR), at),
      );
      return waitFor(
        async () => {
          const res = await t.http().get(`/api/v2/${networkId}/interactions?limit=500`).set(session.auth);
          const row = (res.body.items as (Row & { source_chunk_id: string })[]).find(
            (i) => i.source_chunk_id === chunkId,
          );
          return row && (row.processing_status === 'done' || row.processing_status === 'failed')
            ? row
            : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 200, what: `interaction of a chunk from ${deviceName}` },
      );
    };

    // 1. enrolled speakers
    const personOf = new Map<string, string>();
    let enrolFailures = 0;
    for (const speaker of DEV_SPEAKERS) {
      const p = await t.http().post(`/api/v1/${networkId}/persons`).set(session.auth).send({ name: speaker });
      personOf.set(speaker, p.body.id);
      for (const file of librispeechDevFiles(speaker).slice(0, ENROL)) {
        const res = await enrolVoice(t, session.auth, networkId, p.body.id, file);
        if (res.status !== 201) enrolFailures += 1;
      }
    }
    const enrolled = new Set(personOf.values());
    const tally = () => ({ total: 0, right: 0, wrong: 0, unknown: 0, newPerson: 0 });
    const count = (t: ReturnType<typeof tally>, row: Row, truth: string | null) => {
      t.total++;
      if (row.person_id === null) t.unknown++;
      else if (truth !== null && row.person_id === truth) t.right++;
      else if (enrolled.has(row.person_id)) t.wrong++;
      else t.newPerson++;
    };
    const tests = new Map<string, Float32Array[]>();
    for (const speaker of DEV_SPEAKERS) {
      tests.set(speaker, await Promise.all(librispeechDevFiles(speaker).slice(ENROL).map(decode)));
    }
    const clean = tally();
    let weak = false;
    for (let k = 0; k < 10 - ENROL; k++) {
      for (const speaker of DEV_SPEAKERS) {
        const row = await submit('living-room', tests.get(speaker)![k]!);
        weak = row.metadata.speaker?.weak_model ?? weak;
        count(clean, row, personOf.get(speaker)!);
      }
    }
    const noisy = tally();
    for (let k = 0; k < 10 - ENROL; k++) {
      for (const speaker of DEV_SPEAKERS) {
        const x = tests.get(speaker)![k]!;
        const others = DEV_SPEAKERS.filter((s) => s !== speaker).map((s) => tests.get(s)![(k + 1) % 7]!);
        count(
          noisy,
          await submit('kitchen', mixAtSnr(x, babble(others, x.length), 5)),
          personOf.get(speaker)!,
        );
      }
    }

    // 2. short turns
    const continuation = tally();
    const change = tally();
    for (const [s, speaker] of DEV_SPEAKERS.entries()) {
      const own = tests.get(speaker)!;
      const next = DEV_SPEAKERS[(s + 1) % DEV_SPEAKERS.length]!;
      for (let k = 0; k < 2; k++) {
        await submit('hallway', crop(own[k]!, 5), 3);
        count(continuation, await submit('hallway', crop(own[k + 2]!, 1.5, 0.4)), personOf.get(speaker)!);
        await submit('hallway', crop(own[k + 4]!, 5), 3);
        count(change, await submit('hallway', crop(tests.get(next)![k + 2]!, 1.5, 0.6)), personOf.get(next)!);
      }
    }

    // 3. never-enrolled speakers, one utterance each
    const libriStrangers = tally();
    const heldOut = devSplitSpeakers(model).slice(0, 15);
    for (const file of librispeechTrainFiles()
      .filter((f) => heldOut.includes(speakerOfFile(f)))
      .slice(0, 10)) {
      count(libriStrangers, await submit('porch', await decode(file), 2), null);
    }
    const oceanHeldOut = speechoceanHeldOut(model, 'eval');
    const oceanStrangers = tally();
    for (const { files } of oceanHeldOut) {
      count(oceanStrangers, await submit('porch', await decode(files[0]!), 2), null);
    }

    // 4. strangers who keep talking (a guest at the table): 7 utterances, then 6 more later
    const guests = oceanHeldOut.slice(0, 5);
    const byGuest = new Map<string, Row[]>();
    // every guest row in the order spoken: a new person belongs to the guest whose row carried it first
    const spoken: Array<{ speaker: string; row: Row }> = [];
    const say = async (speaker: string, file: string) => {
      const row = await submit('table', await decode(file), 2);
      byGuest.set(speaker, [...(byGuest.get(speaker) ?? []), row]);
      spoken.push({ speaker, row });
    };
    for (const { speaker, files } of guests) {
      for (const file of files.slice(1, 8)) await say(speaker, file);
    }
    for (let k = 8; k < 14; k++) {
      for (const { speaker, files } of guests) {
        if (files[k]) await say(speaker, files[k]!);
      }
    }
    const ownerOf = new Map<string, string>();
    for (const { speaker, row } of spoken) {
      if (row.person_id && !enrolled.has(row.person_id) && !ownerOf.has(row.person_id)) {
        ownerOf.set(row.person_id, speaker);
      }
    }
    const guestRows: string[] = [];
    let exactlyOne = 0;
    let namedAfter = 0;
    let after = 0;
    for (const { speaker } of guests) {
      const rows = byGuest.get(speaker)!;
      // the stranger's own new persons (its utterance carried each first), and its utterances given another's
      const own = [...ownerOf].filter(([, owner]) => owner === speaker).map(([person]) => person);
      const wrongEnrolled = rows.filter((r) => r.person_id !== null && enrolled.has(r.person_id)).length;
      const asOther = rows.filter(
        (r) => r.person_id !== null && !enrolled.has(r.person_id) && ownerOf.get(r.person_id) !== speaker,
      ).length;
      const first = rows.findIndex((r) => r.person_id !== null && own.includes(r.person_id));
      const later = first < 0 ? [] : rows.slice(first + 1);
      const named = later.filter((r) => r.person_id === own[0]).length;
      const how =
        first < 0 ? '—' : rows[first]!.metadata.speaker?.decision === 'match' ? 'named' : 'gathered';
      if (own.length === 1 && asOther === 0) exactlyOne++;
      namedAfter += named;
      after += later.length;
      guestRows.push(
        `| ${speaker} | ${rows.length} | ${own.length} | ${first < 0 ? '—' : `utterance ${first + 1} (${how})`} | ${named} / ${later.length} | ${asOther} | ${wrongEnrolled} |`,
      );
    }

    const persons = await t.http().get(`/api/v1/${networkId}/persons?limit=500`).set(session.auth);
    const health = await t.http().get('/health/detailed');
    const engines = health.body?.checks ?? {};
    const scale = await audio.speakerScale(model);
    const policy = await t.app.get(SpeakerIdentificationService).policyFor(networkId, model, scale);
    const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
    const line = (label: string, x: ReturnType<typeof tally>, strangers = false) =>
      strangers
        ? `| ${label} | ${x.total} | ${x.wrong} (${pct(x.wrong, x.total)}) | ${x.newPerson} | ${x.unknown} |`
        : `| ${label} | ${x.right} / ${x.total} (**${pct(x.right, x.total)}**) | ${x.wrong} | ${x.unknown} | ${x.newPerson} |`;
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const section = [
      `Measured ${new Date().toISOString().slice(0, 16)}Z with \`npm run eval:speakers:pipeline\` on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} ` +
        `(load average ${loadavg()[0]!.toFixed(1)} at the end, shared machine), ${minutes} min for one run.`,
      '',
      'Through the real pipeline: HTTP enrolment (`POST /persons/{id}/voice`), HTTP stream ingestion, the PostgreSQL job',
      'queue (arbitration → `utterance.process`: denoise → VAD → embedding → `judgeSpeaker` → gathering of unknown',
      'voices), interactions and persons read back over HTTP. Devices stream with realistic clocks (a chunk starts at most',
      "1–3 s after the device's previous chunk ended, and never while another device is heard), so the context of a",
      "device's preceding turn is in play as in a home.",
      `Data: LibriSpeech (CC BY 4.0) test-other-dev, ${DEV_SPEAKERS.length} speakers × 10 utterances, ${ENROL} enrolled per speaker; ` +
        "never-enrolled: train-clean-100 speakers held out of the model's training and speechocean762 speakers held out " +
        `for evaluation (${oceanHeldOut.length ? oceanHeldOut.map((o) => o.speaker).join(', ') : 'SPEECHOCEAN_DIR not set: skipped'}).`,
      '',
      `Speaker model: \`${model}\`${weak ? ' — **the weak MFCC-statistics baseline**' : ''}. ` +
        (policy.calibrated
          ? `Policy in force (built-in, ${scale} scores calibrated by speech length and noise): name at posterior ≥ ${policy.calibrated.namePosterior} (≥ ${policy.calibrated.noisyNamePosterior} for noisy speech, ≥ ${policy.calibrated.shortNoisyNamePosterior} for noisy speech ≤ ${policy.calibrated.shortSpeechSeconds} s; prior of nobody enrolled ${policy.calibrated.unknownPrior}), min speech ${policy.minMatchSpeechSeconds} s, context prior ${policy.calibrated.continuationPrior} for segments ≤ ${policy.calibrated.continuationMaxSpeechSeconds} s within ${policy.calibrated.continuationMaxGapSeconds} s whose own log-likelihood ratio for the turn's person reaches ${policy.calibrated.continuationMinLlr}, a new person from ≥ ${policy.gathering.minUtterances} utterances of one voice (same-voice score ${policy.gathering.sameVoiceScore}, ≥ ${policy.gathering.minTotalSeconds} s), up to ${policy.autoSamplesMax} automatic samples per person.`
          : `Policy in force (built-in thresholds, ${scale} scores): threshold ${policy.matchThreshold} (${policy.noisyMatchThreshold} below ${policy.noisySnrDb} dB SNR), margin ${policy.matchMargin}, min speech ${policy.minMatchSpeechSeconds} s, a new person from ≥ ${policy.gathering.minUtterances} utterances of one voice.`),
      `Engines: ${JSON.stringify({ denoise: engines?.audio_denoise?.engine, vad: engines?.audio_vad?.engine })}. Enrolment refusals: ${enrolFailures} of ${DEV_SPEAKERS.length * ENROL}.`,
      '',
      '| enrolled speakers | named right | named WRONG | unknown | made a new person |',
      '|---|---|---|---|---|',
      line('clean, whole utterances', clean),
      line('babble of the other four at 5 dB', noisy),
      line("1.5 s right after the same speaker's 5 s turn", continuation),
      line("1.5 s right after another speaker's 5 s turn", change),
      '',
      '| never-enrolled speakers, one utterance each | utterances | named as an enrolled person | made a new person | unknown |',
      '|---|---|---|---|---|',
      line('train-clean-100 (held out of training)', libriStrangers, true),
      line('speechocean762 (held out for evaluation)', oceanStrangers, true),
      '',
      `Strangers who keep talking (speechocean762 evaluation speakers, 7 utterances then 6 more): ${exactlyOne} of ${guests.length} became exactly one new person (their own, and none of their utterances given another stranger's); once their person existed they were named ${pct(namedAfter, after)} of the time (${namedAfter} of ${after}).`,
      '',
      "| stranger | utterances | own new persons | own person made at | named as it after | given another stranger's person | named as an enrolled person |",
      '|---|---|---|---|---|---|---|',
      ...guestRows,
      '',
      `Persons in the network at the end: ${(persons.body as unknown[]).length} (${DEV_SPEAKERS.length} enrolled + those gathered by the pipeline).`,
      '',
    ].join('\n');
    writeBenchmark({
      area: 'Speakers',
      measure: BENCHMARK_MEASURES.pipelineIdentification,
      run: `Speaker model \`${model}\``,
      intro:
        "One run block per speaker model measured (each run replaces its own model's block and goes first). A run " +
        "measures whichever model is the server's default at the time.",
      body: section,
    });
    console.log(section);
  } finally {
    await t.close();
  }
});
