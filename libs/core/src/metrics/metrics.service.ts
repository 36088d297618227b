import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricBuckets, MetricNames } from './metric-names.js';

/** Called on every scrape of /metrics; set the gauge's current values on `gauge`. */
export type GaugeCollect<L extends string = string> = (gauge: Gauge<L>) => void | Promise<void>;

export interface JobQueueSample {
  queue: string;
  depth: number;
  /** Seconds since the oldest waiting job was enqueued; 0 when none waits. */
  oldestAgeSeconds: number;
}

type AnyMetric = Histogram<string> | Counter<string> | Gauge<string>;

/**
 * Prometheus metrics for this process, in a registry of its own (several apps in one test process do not clash).
 * Creation is idempotent by name: asking twice for the same name and labels returns the same object, so modules
 * register where they use a metric without coordinating. Label values must be bounded (ids never go in labels).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, { kind: string; labels: string; metric: AnyMetric }>();
  private readonly gaugeCollectors = new Map<string, GaugeCollect[]>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration();
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: readonly number[],
  ): Histogram<L> {
    return this.getOrCreate(
      'histogram',
      name,
      labelNames,
      () =>
        new Histogram<L>({
          name,
          help,
          labelNames,
          ...(buckets ? { buckets: [...buckets] } : {}),
          registers: [this.registry],
        }),
    ) as Histogram<L>;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(
      'counter',
      name,
      labelNames,
      () => new Counter<L>({ name, help, labelNames, registers: [this.registry] }),
    ) as Counter<L>;
  }

  /**
   * A gauge; `collect` (optional) runs on every scrape. Several modules may pass a collect callback for the same
   * gauge (e.g. one per queue): all of them run, in registration order.
   */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: GaugeCollect<L>,
  ): Gauge<L> {
    const collectors = this.gaugeCollectors;
    const gauge = this.getOrCreate('gauge', name, labelNames, () => {
      collectors.set(name, []);
      return new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          for (const fn of collectors.get(name) ?? []) await fn(this as Gauge<string>);
        },
      });
    }) as Gauge<L>;
    if (collect) collectors.get(name)?.push(collect as GaugeCollect);
    return gauge;
  }

  /** Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  // ---- The shared metrics (names in MetricNames; documented in docs/operations.md) ----

  /** HTTP request duration by method, route pattern and status (recorded by the request logging middleware). */
  httpDuration(): Histogram<'method' | 'route' | 'status'> {
    return this.histogram(
      MetricNames.httpRequestDuration,
      'HTTP request duration in seconds, by method, route pattern and status',
      ['method', 'route', 'status'],
      MetricBuckets.http,
    );
  }

  /** Audio pipeline stage durations: `metrics.audioStage().observe({ stage: 'vad' }, seconds)`. */
  audioStage(): Histogram<'stage'> {
    return this.histogram(
      MetricNames.audioStageSeconds,
      'Audio pipeline stage duration in seconds, by stage',
      ['stage'],
      MetricBuckets.audioStage,
    );
  }

  /** Audio streams open on this instance: `inc()` when a stream opens, `dec()` when it closes. */
  activeStreams(): Gauge<never> {
    return this.gauge(MetricNames.activeStreams, 'Audio streams currently open on this instance');
  }

  /**
   * The jobs lib registers a sampler; it runs on each scrape and sets depth and oldest age per queue.
   * A queue the sampler stops reporting drops to 0.
   */
  registerJobQueueSampler(sample: () => Promise<JobQueueSample[]> | JobQueueSample[]): void {
    let pending: Promise<JobQueueSample[]> | undefined;
    // Both gauges are collected in the same scrape: query once and share the result.
    const once = (): Promise<JobQueueSample[]> => {
      pending ??= Promise.resolve(sample()).finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    const seen = new Set<string>();
    const fill = async (g: Gauge<'queue'>, pick: (s: JobQueueSample) => number): Promise<void> => {
      const samples = await once();
      for (const queue of seen) g.set({ queue }, 0);
      for (const s of samples) {
        seen.add(s.queue);
        g.set({ queue: s.queue }, pick(s));
      }
    };
    this.gauge(MetricNames.jobQueueDepth, 'Jobs waiting to run, by queue', ['queue'], (g) =>
      fill(g, (s) => s.depth),
    );
    this.gauge(
      MetricNames.jobOldestAgeSeconds,
      'Age in seconds of the oldest waiting job, by queue (0 when empty)',
      ['queue'],
      (g) => fill(g, (s) => s.oldestAgeSeconds),
    );
  }

  private getOrCreate(
    kind: string,
    name: string,
    labelNames: readonly string[],
    create: () => AnyMetric,
  ): AnyMetric {
    const labels = [...labelNames].sort().join(',');
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.kind !== kind || existing.labels !== labels) {
        throw new Error(
          `Metric ${name} is already registered as a ${existing.kind} with labels [${existing.labels}]`,
        );
      }
      return existing.metric;
    }
    const metric = create();
    this.metrics.set(name, { kind, labels, metric });
    return metric;
  }
}
