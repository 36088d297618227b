import { ShutdownCoordinator } from './shutdown.coordinator.js';

/** On SIGTERM in-flight requests and jobs finish within a bound; the rest is reported. */
describe('ShutdownCoordinator', () => {
  it('waits for in-flight requests and tracked work before reporting a completed drain', async () => {
    const c = new ShutdownCoordinator();
    const endRequest = c.requestStarted();
    const endJob = c.track('job:test');
    const order: string[] = [];
    const drained = c.drain(60_000).then((r) => {
      order.push('drained');
      return r;
    });
    expect(c.isDraining).toBe(true);
    await new Promise((r) => setImmediate(r));
    order.push('request done');
    endRequest();
    await new Promise((r) => setImmediate(r));
    order.push('job done');
    endJob();
    endJob(); // idempotent
    const result = await drained;
    expect(order).toEqual(['request done', 'job done', 'drained']);
    expect(result).toEqual({ completed: true, unfinished: { requests: 0, work: {}, hooks: [] } });
  });

  it('runs drain hooks and waits for them', async () => {
    const c = new ShutdownCoordinator();
    let stopped = false;
    c.onDrain('worker', async () => {
      await new Promise((r) => setImmediate(r));
      stopped = true;
    });
    const result = await c.drain(60_000);
    expect(stopped).toBe(true);
    expect(result.completed).toBe(true);
  });

  it('reports what was unfinished when the bound is reached and aborts the hooks signal', async () => {
    const c = new ShutdownCoordinator();
    c.track('job:slow');
    let aborted = false;
    c.onDrain(
      'stuck',
      (signal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true))),
    );
    const result = await c.drain(10);
    expect(result.completed).toBe(false);
    expect(result.unfinished).toEqual({ requests: 0, work: { 'job:slow': 1 }, hooks: ['stuck'] });
    expect(aborted).toBe(true);
  });

  it('counts a throwing hook as finished and reports its error', async () => {
    const c = new ShutdownCoordinator();
    const errors: string[] = [];
    c.onDrain('broken', () => {
      throw new Error('boom');
    });
    const result = await c.drain(60_000, (name) => errors.push(name));
    expect(result.completed).toBe(true);
    expect(errors).toEqual(['broken']);
  });

  it('run() releases its work even when the work fails', async () => {
    const c = new ShutdownCoordinator();
    await expect(c.run('job:x', async () => Promise.reject(new Error('fail')))).rejects.toThrow('fail');
    expect(c.workInFlight()).toEqual({});
  });
});
