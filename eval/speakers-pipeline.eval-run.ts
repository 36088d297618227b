/**
 * npm run eval:speakers:pipeline — speaker identification through the REAL pipeline: HTTP enrolment, HTTP stream ingestion,
 * the job queue (arbitration → utterance.process), interactions read back over HTTP. Real PostgreSQL, real ONNX.
 *
 * Protocol: each dev speaker (LibriSpeech test-other-dev, 5 speakers × 10 utterances) becomes a named person
 * enrolled with its first 3 utterances; its other 7 are streamed one by one. Then utterances of speakers never
 * enrolled (LibriSpeech train-clean-100) are streamed. Writes its model's run of "Identification through the pipeline" in BENCHMARKS.md (Speakers), first.
 */
import { cpus, loadavg } from 'node:os';
import { AudioService } from '@mira/audio';
import { SpeakerIdentificationService } from '@mira/recognition';
import { registerClient, startTestApp, userWithNetwork } from '../test/support/app.js';
import { BENCHMARK_MEASURES, writeBenchmark } from '../tooling/benchmarks-file.js';
import { librispeechDevFiles, librispeechTrainFiles } from '../tooling/shared-data.js';
import { DEV_SPEAKERS, enrolVoice, readAudio, streamUtterance } from '../test/support/speech.js';
import { waitFor } from '../test/support/wait.js';
import { devSplitSpeakers, speakerOfFile } from './lib.js';

const UNKNOWN_SPEAKERS = Number(process.env.EVAL_UNKNOWN_SPEAKERS ?? 10);
const ENROL = 3;

interface Row {
  person_id: string | null;
  speaker_confidence: number | null;
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
    const { session, networkId } = await userWithNetwork(t);
    const device = await registerClient(t, session, networkId, 'eval-mic');
    const personOf = new Map<string, string>(); // speaker → person id
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
    let clock = Date.now();
    const submit = async (file: string): Promise<Row> => {
      clock += 1000;
      const chunkId = await streamUtterance(
        t,
        device,
        networkId,
        'eval-mic',
        readAudio(file),
        new Date(clock),
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
        { timeoutMs: 300_000, intervalMs: 200, what: `interaction for ${file}` },
      );
    };

    // Known speakers, interleaved so that consecutive utterances change speaker (as in a conversation).
    const known = { total: 0, correct: 0, wrong: 0, unknown: 0, newPerson: 0 };
    let model = '';
    let weak = false;
    for (let k = ENROL; k < 10; k++) {
      for (const speaker of DEV_SPEAKERS) {
        const row = await submit(librispeechDevFiles(speaker)[k]!);
        model = row.metadata.speaker?.model_id ?? model;
        weak = row.metadata.speaker?.weak_model ?? weak;
        known.total += 1;
        if (row.person_id === personOf.get(speaker)) known.correct += 1;
        else if (row.person_id === null) known.unknown += 1;
        else if (enrolled.has(row.person_id)) known.wrong += 1;
        else known.newPerson += 1;
      }
    }

    // Speakers never enrolled.
    const strangers = { total: 0, acceptedAsEnrolled: 0, newPerson: 0, unknown: 0 };
    const newPersons = new Set<string>();
    const strangerFiles = librispeechTrainFiles()
      .filter((f) => devSplitSpeakers(model).slice(0, 15).includes(speakerOfFile(f)))
      .slice(0, UNKNOWN_SPEAKERS);
    for (const file of strangerFiles) {
      const row = await submit(file);
      strangers.total += 1;
      if (row.person_id === null) strangers.unknown += 1;
      else if (enrolled.has(row.person_id)) strangers.acceptedAsEnrolled += 1;
      else {
        strangers.newPerson += 1;
        newPersons.add(row.person_id);
      }
    }
    const persons = await t.http().get(`/api/v1/${networkId}/persons?limit=500`).set(session.auth);
    const health = await t.http().get('/health/detailed');
    const engines = health.body?.checks ?? {};
    const scale = await t.app.get(AudioService).speakerScale(model);
    const policy = await t.app.get(SpeakerIdentificationService).policyFor(networkId, model, scale);

    const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const section = [
      `Measured ${new Date().toISOString().slice(0, 16)}Z with \`npm run eval:speakers:pipeline\` on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} ` +
        `(load average ${loadavg()[0]!.toFixed(1)} at the end, shared machine), ${minutes} min for one run.`,
      '',
      'Through the real pipeline: HTTP enrolment (`POST /persons/{id}/voice`), HTTP stream ingestion, the PostgreSQL job',
      'queue (arbitration → `utterance.process`: denoise → VAD → embedding → policy), interactions read back over HTTP.',
      `Data: LibriSpeech (CC BY 4.0) test-other-dev, ${DEV_SPEAKERS.length} speakers × 10 utterances: ${ENROL} enrolled per speaker, ` +
        `the other ${10 - ENROL} streamed (interleaved across speakers); then ${UNKNOWN_SPEAKERS} speakers never enrolled ` +
        "(train-clean-100 speakers held out of the trained model's training: 1088, 1098, 1116, …). One run (the pipeline " +
        'is deterministic for fixed input).',
      '',
      `Speaker model: \`${model}\`${weak ? ' — **the weak MFCC-statistics baseline** (no trained speaker network was available at the time of the run)' : ''}. ` +
        `Policy in force (built-in defaults for this model, ${scale} scores): threshold ${policy.matchThreshold} (${policy.noisyMatchThreshold} below ${policy.noisySnrDb} dB SNR), margin ${policy.matchMargin}, ` +
        `min speech ${policy.minMatchSpeechSeconds} s, new person needs ≥ ${policy.newPersonMinSpeechSeconds} s and best score < ` +
        `${(policy.matchThreshold - policy.newPersonSimilarityGap).toFixed(2)} (never from noisy audio), up to ${policy.autoSamplesMax} automatic samples per person.`,
      `Engines: ${JSON.stringify({ denoise: engines?.audio_denoise?.engine, vad: engines?.audio_vad?.engine })}. Enrolment refusals: ${enrolFailures} of ${DEV_SPEAKERS.length * ENROL}.`,
      '',
      '| Enrolled speakers (streamed utterances) | count | rate |',
      '|---|---|---|',
      `| correct person | ${known.correct} / ${known.total} | **${pct(known.correct, known.total)}** (identification accuracy) |`,
      `| another enrolled person (misattribution) | ${known.wrong} | ${pct(known.wrong, known.total)} |`,
      `| unknown (person_id null) | ${known.unknown} | ${pct(known.unknown, known.total)} |`,
      `| a new person created (false new person) | ${known.newPerson} | ${pct(known.newPerson, known.total)} |`,
      '',
      '| Never-enrolled speakers | count | rate |',
      '|---|---|---|',
      `| accepted as an enrolled person (false accept) | ${strangers.acceptedAsEnrolled} / ${strangers.total} | ${pct(strangers.acceptedAsEnrolled, strangers.total)} |`,
      `| new "Person N" created | ${strangers.newPerson} | ${pct(strangers.newPerson, strangers.total)} (${newPersons.size} distinct persons) |`,
      `| left unknown | ${strangers.unknown} | ${pct(strangers.unknown, strangers.total)} |`,
      '',
      `Persons in the network at the end: ${(persons.body as unknown[]).length} (5 enrolled + those created by the pipeline).`,
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
