import type { IncomingMessage } from 'node:http';

/**
 * The client's address as Express reads `req.ip` with `trust proxy` set to a hop count, for requests Express never
 * sees (WebSocket upgrades): the socket's peer, then the X-Forwarded-For entries from the right, one per trusted
 * proxy. With 1 (the ALB) it is the entry the ALB appended; entries the client wrote to the left of it are never
 * read. Entries are split on commas and trimmed of spaces, empty ones skipped, as Express's parser does, so one
 * address has one spelling on both paths and the rate limiter sees one key.
 */
export function clientAddress(request: IncomingMessage, trustProxyHops: number): string | undefined {
  const peer = request.socket?.remoteAddress;
  if (trustProxyHops <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.replace(/^ +| +$/g, ''))
    .filter((entry) => entry !== '')
    .reverse();
  const chain = [peer, ...forwarded];
  return chain[Math.min(trustProxyHops, chain.length - 1)];
}
