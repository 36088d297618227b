import { Global, Module } from '@nestjs/common';
import { AudioService } from './audio.service.js';

/** Imported once by AppModule; every domain module can inject AudioService. */
@Global()
@Module({
  providers: [AudioService],
  exports: [AudioService],
})
export class AudioModule {}
