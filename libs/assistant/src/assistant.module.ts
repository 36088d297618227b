import { Module, OnModuleInit } from '@nestjs/common';
import { AppConfig, HealthRegistry } from '@mira/core';
import { ActionExtractor } from './action-extractor.js';
import { CommandAgent } from './command-agent.js';
import { GeminiClient } from './gemini.client.js';
import { MemoryExtractor } from './memory-extractor.js';
import { Summarizer } from './summarizer.js';
import { TextEmbedder } from './text-embedder.js';
import { Transcriber } from './transcriber.js';

/**
 * Ports to language models (transcription, action extraction, summaries, memories, voice commands, text embeddings);
 * knows nothing of domains.
 */
@Module({
  providers: [
    GeminiClient,
    Transcriber,
    ActionExtractor,
    Summarizer,
    MemoryExtractor,
    CommandAgent,
    TextEmbedder,
  ],
  exports: [Transcriber, ActionExtractor, Summarizer, MemoryExtractor, CommandAgent, TextEmbedder],
})
export class AssistantModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly config: AppConfig,
    private readonly gemini: GeminiClient,
    private readonly transcriber: Transcriber,
    private readonly actions: ActionExtractor,
    private readonly summarizer: Summarizer,
    private readonly memories: MemoryExtractor,
    private readonly commands: CommandAgent,
    private readonly embedder: TextEmbedder,
  ) {}

  onModuleInit(): void {
    this.health.register('assistant', () => ({
      // Offline engines work but are weak; that is a degraded assistant, not a broken one.
      status: this.gemini.configured ? 'healthy' : 'degraded',
      gemini: {
        key_configured: this.gemini.configured,
        model: this.gemini.model,
        custom_base_url: this.config.values.gemini.baseUrl !== undefined,
        timeout_ms: this.gemini.timeoutMs,
      },
      transcriber: this.transcriber.primary,
      transcriber_offline_fallback: this.transcriber.offline,
      action_extractor: this.actions.engine,
      summarizer: this.summarizer.engine,
      memory_extractor: this.memories.engine,
      voice_commands: this.commands.engine,
      text_embeddings: this.embedder.available
        ? { engine: 'gemini', model: this.embedder.model, dimensions: this.embedder.dimensions }
        : { engine: 'none' },
    }));
  }
}
