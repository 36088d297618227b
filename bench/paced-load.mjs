// Load at a steady request rate for the HTTP benches (autocannon has no such mode: see pacedLoad).
import http from 'node:http';

/**
 * Requests at a steady rate: one every 1000/overallRate ms for `duration` seconds, over at most `connections` keep-alive
 * connections, open loop (a request due while every connection is busy waits for one, and its latency counts from
 * when it was sent to the agent, so the wait is part of it). autocannon's overallRate is not this: each connection
 * sends its share of a second's requests as fast as they are answered and then waits for the next second, so every
 * second begins with all connections at full speed (500 req/s against a server that answers at once: each
 * second's 500 responses all came within its first 300 ms). Resolves with autocannon's figures the benches read
 * (`result.requests.average` and `.total`, `non2xx`, `errors`, `timeouts`) and every response's latency in ms.
 */
export function pacedLoad({ url, method = 'GET', headers = {}, body, overallRate, duration, connections }) {
  return new Promise((resolve) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    const interval = 1000 / overallRate;
    const due = Math.round(duration * overallRate);
    const latencies = [];
    const outcome = { total: 0, non2xx: 0, errors: 0 };
    const start = performance.now();
    let sent = 0;
    const settle = () => {
      outcome.total += 1;
      if (outcome.total < due) return;
      agent.destroy();
      const seconds = (performance.now() - start) / 1000;
      resolve({
        result: {
          requests: { average: outcome.total / seconds, total: outcome.total },
          non2xx: outcome.non2xx,
          errors: outcome.errors,
          timeouts: 0,
        },
        latencies,
      });
    };
    const send = () => {
      const sentAt = performance.now();
      const length = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
      const req = http.request(url, { method, headers: { ...headers, ...length }, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - sentAt);
          if (res.statusCode < 200 || res.statusCode >= 300) outcome.non2xx += 1;
          settle();
        });
      });
      // autocannon's default: a request unanswered for 10 s counts as an error.
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        outcome.errors += 1;
        settle();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < due && start + sent * interval <= now) {
        sent += 1;
        send();
      }
      if (sent < due) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}
