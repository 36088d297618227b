import { MetricNames } from './metric-names.js';
import { MetricsService } from './metrics.service.js';

/** Every module registers into one Prometheus registry without coordinating. */
describe('MetricsService', () => {
  it('returns the same metric object when a name is registered twice with the same labels', () => {
    const metrics = new MetricsService();
    const a = metrics.histogram('mira_test_seconds', 'test', ['stage']);
    const b = metrics.histogram('mira_test_seconds', 'test', ['stage']);
    expect(a).toBe(b);
    expect(metrics.audioStage()).toBe(metrics.audioStage());
  });

  it('refuses the same name with another kind or other labels', () => {
    const metrics = new MetricsService();
    metrics.counter('mira_test_total', 'test', ['a']);
    expect(() => metrics.gauge('mira_test_total', 'test', ['a'])).toThrow(/already registered as a counter/);
    expect(() => metrics.counter('mira_test_total', 'test', ['b'])).toThrow(/labels \[a\]/);
  });

  it('exposes process metrics and the shared HTTP histogram in Prometheus text format', async () => {
    const metrics = new MetricsService();
    metrics.httpDuration().observe({ method: 'GET', route: '/health', status: '200' }, 0.003);
    const { contentType, body } = await metrics.exposition();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('nodejs_heap_size_used_bytes');
    expect(body).toContain(
      `${MetricNames.httpRequestDuration}_bucket{le="0.005",method="GET",route="/health",status="200"} 1`,
    );
  });

  it('runs every collect callback of a gauge on each scrape', async () => {
    const metrics = new MetricsService();
    let scrapes = 0;
    metrics.gauge('mira_test_gauge', 'test', ['source'], (g) => {
      scrapes += 1;
      g.set({ source: 'a' }, 1);
    });
    metrics.gauge('mira_test_gauge', 'test', ['source'], (g) => g.set({ source: 'b' }, 2));
    const { body } = await metrics.exposition();
    expect(body).toContain('mira_test_gauge{source="a"} 1');
    expect(body).toContain('mira_test_gauge{source="b"} 2');
    await metrics.exposition();
    expect(scrapes).toBe(2);
  });

  it('samples job queues once per scrape and drops a vanished queue to 0', async () => {
    const metrics = new MetricsService();
    let calls = 0;
    let samples = [
      { queue: 'transcribe', depth: 3, oldestAgeSeconds: 12.5 },
      { queue: 'extract', depth: 0, oldestAgeSeconds: 0 },
    ];
    metrics.registerJobQueueSampler(async () => {
      calls += 1;
      return samples;
    });
    let { body } = await metrics.exposition();
    expect(body).toContain(`${MetricNames.jobQueueDepth}{queue="transcribe"} 3`);
    expect(body).toContain(`${MetricNames.jobOldestAgeSeconds}{queue="transcribe"} 12.5`);
    expect(calls).toBe(1);
    samples = [{ queue: 'extract', depth: 1, oldestAgeSeconds: 2 }];
    await new Promise((r) => setImmediate(r));
    ({ body } = await metrics.exposition());
    expect(body).toContain(`${MetricNames.jobQueueDepth}{queue="transcribe"} 0`);
    expect(body).toContain(`${MetricNames.jobQueueDepth}{queue="extract"} 1`);
  });

  it('counts active streams up and down', async () => {
    const metrics = new MetricsService();
    metrics.activeStreams().inc();
    metrics.activeStreams().inc();
    metrics.activeStreams().dec();
    expect((await metrics.exposition()).body).toContain(`${MetricNames.activeStreams} 1`);
  });
});
