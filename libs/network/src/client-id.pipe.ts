import { Injectable, PipeTransform } from '@nestjs/common';
import { assertDeviceName } from './device-name.js';

/** A device name in the path (rule: device-name.ts); 422 naming client_id otherwise. */
@Injectable()
export class ClientIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return assertDeviceName('client_id', value);
  }
}
