import { Injectable } from '@nestjs/common';
import type { SignInSession } from '@mira/core';
import { IdentityRepository } from './identity.repository.js';

/** What other domains may ask about users. */
@Injectable()
export class UsersService {
  constructor(private readonly repository: IdentityRepository) {}

  /** An active user whose sign-in session (refresh-token family) still holds an unused, unexpired token. */
  sessionIsLive(userId: string, sessionId: string): Promise<boolean> {
    return this.repository.sessionIsLive(userId, sessionId);
  }

  /** Of these sign-in sessions, the ids of the ones still live (one query, however many). */
  async liveSessions(sessions: readonly SignInSession[]): Promise<Set<string>> {
    if (sessions.length === 0) return new Set();
    return new Set(await this.repository.liveSessions(sessions));
  }
}
