import { Injectable, PipeTransform } from '@nestjs/common';
import { CommonErrors } from '@mira/core';

const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** A device name: 1–64 of letters, digits, dot, dash and underscore. */
@Injectable()
export class ClientIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CLIENT_ID_PATTERN.test(value)) {
      const message = 'client_id must be 1-64 characters of letters, digits, ".", "-" or "_"';
      throw CommonErrors.validation(message, [{ field: 'client_id', messages: [message] }]);
    }
    return value;
  }
}
