import { WebSocket } from 'ws';

/** A socket that does not finish its closing handshake within this is cut. */
const CLOSE_GRACE_MS = 5000;

/**
 * Closes a server-side WebSocket with a code its client acts on; a peer that never completes the handshake is cut
 * after a grace period. Shared by the apps' realtime socket and the live audio socket.
 */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  if (ws.readyState !== WebSocket.CLOSING) ws.close(code, reason);
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}
