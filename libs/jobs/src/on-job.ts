import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { JobName } from './job-catalogue.js';
import { type JobHandlerOptions, type JobOf, JobQueue } from './job-queue.service.js';

const ON_JOB = Symbol('mira:on-job');

interface OnJobMetadata {
  name: JobName;
  options: JobHandlerOptions;
}

/**
 * Marks the method that handles a job: `@OnJob(JobName.UtteranceProcess) async process(job: JobOf<…>)`. The compiler
 * checks the method against the job's payload; the JobHandlerExplorer registers it with the queue at boot.
 */
export function OnJob<N extends JobName>(name: N, options: JobHandlerOptions = {}) {
  return (
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<(job: JobOf<N>) => Promise<void>>,
  ): void => {
    Reflect.defineMetadata(ON_JOB, { name, options } satisfies OnJobMetadata, descriptor.value as object);
  };
}

/** Finds every `@OnJob` method of every provider once the modules are built and registers it with the queue. */
@Injectable()
export class JobHandlerExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly queue: JobQueue,
  ) {}

  onModuleInit(): void {
    // A provider can appear under several tokens (hooks alias it): each instance is scanned once.
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (
        !instance ||
        typeof instance !== 'object' ||
        !wrapper.isDependencyTreeStatic() ||
        seen.has(instance)
      )
        continue;
      seen.add(instance);
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const handler = instance[method] as (job: JobOf<JobName>) => Promise<void>;
        const meta = Reflect.getMetadata(ON_JOB, handler) as OnJobMetadata | undefined;
        if (meta) this.queue.register(meta.name, (job) => handler.call(instance, job), meta.options);
      }
    }
  }
}
