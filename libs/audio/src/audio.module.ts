import { Module } from '@nestjs/common';
import { AudioService } from './audio.service.js';

/** Decoding, quality, noise reduction, VAD and speaker embedding; one instance (its models load once) for every importer. */
@Module({
  providers: [AudioService],
  exports: [AudioService],
})
export class AudioModule {}
