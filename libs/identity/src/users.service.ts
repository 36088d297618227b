import { Injectable } from '@nestjs/common';
import { IdentityRepository } from './identity.repository.js';

/** What other domains may ask about users. */
@Injectable()
export class UsersService {
  constructor(private readonly repository: IdentityRepository) {}

  async isActive(userId: string): Promise<boolean> {
    const user = await this.repository.findUserById(userId);
    return user?.isActive ?? false;
  }
}
