/**
 * The metric names every module shares. Register into them through MetricsService (same name, same labels);
 * docs/operations.md lists them for operators.
 */
export const MetricNames = {
  /** Histogram, seconds, labels method, route (the route pattern, never the raw URL), status. */
  httpRequestDuration: 'mira_http_request_duration_seconds',
  /** Gauge: HTTP requests being handled right now. */
  httpRequestsInFlight: 'mira_http_requests_in_flight',
  /** Histogram, seconds, label stage (decode, denoise, vad, embed, match, ...): one observation per stage run. */
  audioStageSeconds: 'mira_audio_stage_seconds',
  /** Gauge, label queue: jobs waiting to run (set by the jobs lib from a collect callback). */
  jobQueueDepth: 'mira_job_queue_depth',
  /** Gauge, seconds, label queue: age of the oldest waiting job, 0 when the queue is empty. */
  jobOldestAgeSeconds: 'mira_job_oldest_age_seconds',
  /** Gauge: audio streams open on this instance. */
  activeStreams: 'mira_active_streams',
  /** Gauge: the apps' realtime sockets open on this instance. */
  realtimeSockets: 'mira_realtime_sockets',
  /** Gauge: 1 while the instance is draining for shutdown, else 0. */
  draining: 'mira_draining',
} as const;

/** Bucket presets (seconds). */
export const MetricBuckets = {
  http: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  audioStage: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;
