import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { assertUuidParam, type AuthenticatedRequest } from '@mira/core';
import { PersonService } from '@mira/person';

/**
 * Answers 422/404 for a malformed or unknown {person_id} BEFORE the multipart body is read, so that another
 * network's person is a 404 whatever the upload looks like (and no audio is decoded for nothing). The network is
 * the one the access guard settled on (the path's, or the account's at the account door).
 */
@Injectable()
export class RequirePersonInterceptor implements NestInterceptor {
  constructor(private readonly persons: PersonService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const personId = assertUuidParam('person_id', req.params.person_id);
    await this.persons.requireExisting(String(req.networkId), [personId], 'person_id');
    return next.handle();
  }
}
