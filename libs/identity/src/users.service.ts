import { Injectable } from '@nestjs/common';
import { IdentityRepository } from './identity.repository.js';

/** What other domains may ask about users. */
@Injectable()
export class UsersService {
  constructor(private readonly repository: IdentityRepository) {}

  /** An active user whose sign-in session (refresh-token family) still holds an unused, unexpired token. */
  sessionIsLive(userId: string, sessionId: string): Promise<boolean> {
    return this.repository.sessionIsLive(userId, sessionId);
  }
}
