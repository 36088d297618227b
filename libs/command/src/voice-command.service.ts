import { Injectable } from '@nestjs/common';
import { CommandAgent, GeminiError, Transcriber } from '@mira/assistant';
import { AudioService, type DecodedAudio } from '@mira/audio';
import { AppLogger, CommonErrors, type Principal } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { assertDeviceName } from '@mira/network';
import { CommandToolbox } from './command-toolbox.js';
import type { CommandStreamEvent } from './command-events.js';

/** A command is a short spoken request: longer audio is refused before anything runs. */
export const COMMAND_MAX_SECONDS = 30;

/** A command ready to run: who sent it, from which device, and its audio at 16 kHz. */
export interface PreparedCommand {
  networkId: string;
  clientId: string;
  audio: DecodedAudio;
}

/**
 * Voice commands: the audio is transcribed (Gemini, else the offline engine; none → an `error` event), recorded as
 * one interaction outside any conversation (never run through inference, so nothing acts on it twice), then the
 * CommandAgent answers with tools on the network's data. Everything is reported as the apps' stream events, ending
 * with `done`; aborting the signal (the client went away) stops the work before its next step.
 */
@Injectable()
export class VoiceCommandService {
  constructor(
    private readonly audio: AudioService,
    private readonly transcriber: Transcriber,
    private readonly interactions: InteractionService,
    private readonly agent: CommandAgent,
    private readonly toolbox: CommandToolbox,
    private readonly logger: AppLogger,
  ) {}

  /** Checks the device name and decodes the audio (a 4xx here is answered before the stream starts). */
  async prepare(
    networkId: string,
    principal: Principal,
    clientId: unknown,
    file: { buffer: Buffer; originalname?: string; mimetype?: string },
  ): Promise<PreparedCommand> {
    const name = assertDeviceName('client_id', clientId);
    if (principal.kind === 'client' && principal.clientId !== name) {
      throw CommonErrors.forbidden('A device token may send commands only as its own device');
    }
    const audio = await this.audio.decode(file.buffer, {
      filename: file.originalname,
      mimetype: file.mimetype,
    });
    if (audio.durationSeconds > COMMAND_MAX_SECONDS) {
      const detail = `A voice command lasts at most ${COMMAND_MAX_SECONDS} s (this one ${audio.durationSeconds.toFixed(1)} s)`;
      throw CommonErrors.validation(detail, [{ field: 'audio', messages: [detail] }]);
    }
    return { networkId, clientId: name, audio };
  }

  async *run(command: PreparedCommand, signal: AbortSignal): AsyncGenerator<CommandStreamEvent> {
    const { networkId } = command;
    const started = Date.now();
    const transcription = await this.transcriber.transcribe(command.audio.samples, command.audio.sampleRate, {
      finalAttempt: true,
    });
    if (signal.aborted) return;
    const text = transcription.status === 'transcribed' ? transcription.text.trim() : '';
    if (!text) {
      yield {
        type: 'error',
        message:
          transcription.status === 'untranscribed'
            ? `The command could not be transcribed (${transcription.reason})`
            : 'No speech was heard in the command',
      };
      yield { type: 'done' };
      return;
    }
    yield { type: 'transcript', text };
    const interaction = await this.interactions.create(networkId, {
      content: text,
      interaction_type: 'audio',
      metadata: {
        voice_command: { client_id: command.clientId, engine: this.agent.engine },
        transcription: { engine: transcription.engine },
      },
    });
    const runTool = this.toolbox.runnerFor({
      networkId,
      interactionId: interaction.id,
      now: new Date(),
    });
    let tools = 0;
    try {
      for await (const event of this.agent.run(text, new Date(), runTool, signal)) {
        if (signal.aborted) return;
        if (event.type === 'tool_result') tools += 1;
        yield event;
      }
    } catch (err) {
      if (signal.aborted) return;
      const kind = err instanceof GeminiError ? err.kind : 'internal';
      this.logger.warn('voice_command_failed', {
        network_id: networkId,
        interaction_id: interaction.id,
        kind,
      });
      yield { type: 'error', message: `The assistant could not finish the command (${kind})` };
    }
    this.logger.info('voice_command_done', {
      network_id: networkId,
      interaction_id: interaction.id,
      engine: this.agent.engine,
      tools,
      ms: Date.now() - started,
    });
    yield { type: 'done' };
  }
}
