import { Injectable } from '@nestjs/common';
import {
  isUuid,
  NetworkAccessPort,
  principalLabel,
  resolveBearer,
  type SignInSession,
  TokenService,
} from '@mira/core';
import { DEVICE_NAME_RULE, isDeviceName, NetworkService } from '@mira/network';
import { RealtimeCloseCode } from './realtime-protocol.js';

export interface RealtimeIdentity {
  ok: true;
  networkId: string;
  clientId: string;
  principal: string;
  /** The device row when a device token opened the socket. */
  deviceRowId: string | null;
  /** The sign-in session when a user token opened the socket: the socket lives no longer than it. */
  signInSession: SignInSession | null;
}

export interface RealtimeRefusal {
  ok: false;
  code: RealtimeCloseCode;
  reason: string;
}

/**
 * Who opens a socket, from its query (`token`, `client_id`, optional `network_id`), with the account door's rules:
 * a device token speaks for its own device in its network (a different `client_id` in the query is ignored;
 * session_ready says which id counts); a user token speaks for the account's network (`network_id` plays the part
 * of the X-Network-Id header, which a browser cannot set on a socket), and a `client_id` first seen on it becomes
 * a device of that network (none given: the next free client1, client2, …).
 */
@Injectable()
export class RealtimeAuthenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly access: NetworkAccessPort,
    private readonly networks: NetworkService,
  ) {}

  async authenticate(query: URLSearchParams): Promise<RealtimeIdentity | RealtimeRefusal> {
    const token = query.get('token');
    if (!token) return refuse(RealtimeCloseCode.unauthenticated, 'missing token');
    const requestedClient = query.get('client_id');
    if (requestedClient !== null && !isDeviceName(requestedClient)) {
      return refuse(RealtimeCloseCode.policyViolation, `client_id must be ${DEVICE_NAME_RULE}`);
    }
    const requestedNetwork = query.get('network_id');
    if (requestedNetwork !== null && !isUuid(requestedNetwork)) {
      return refuse(RealtimeCloseCode.policyViolation, 'network_id must be a UUID');
    }
    const bearer = await resolveBearer(token, this.tokens, this.access);
    if (!bearer.ok) return refuse(RealtimeCloseCode.unauthenticated, bearer.detail);
    const principal = bearer.principal;
    if (principal.kind === 'client') {
      if (requestedNetwork !== null && requestedNetwork.toLowerCase() !== principal.networkId) {
        return refuse(RealtimeCloseCode.forbidden, 'network not found');
      }
      return {
        ok: true,
        networkId: principal.networkId,
        clientId: principal.clientId,
        principal: principalLabel(principal),
        deviceRowId: principal.clientRowId,
        signInSession: null,
      };
    }
    const networkId = await this.access.accountNetwork(
      principal.userId,
      requestedNetwork?.toLowerCase() ?? null,
    );
    if (networkId === null) return refuse(RealtimeCloseCode.forbidden, 'network not found');
    let clientId: string;
    if (requestedClient === null) {
      clientId = (await this.networks.registerDevice(networkId, null, {})).clientId;
    } else {
      await this.networks.ensureDevice(networkId, requestedClient);
      clientId = requestedClient;
    }
    return {
      ok: true,
      networkId,
      clientId,
      principal: principalLabel(principal),
      deviceRowId: null,
      signInSession: { userId: principal.userId, sessionId: principal.sessionId },
    };
  }
}

function refuse(code: RealtimeCloseCode, reason: string): RealtimeRefusal {
  return { ok: false, code, reason };
}
