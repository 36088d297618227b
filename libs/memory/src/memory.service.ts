import { Injectable } from '@nestjs/common';
import { AppLogger, RealtimePublisher } from '@mira/core';
import { searchLanguageOf } from '@mira/interaction';
import { NetworkService } from '@mira/network';
import { MemoryErrors } from './memory.errors.js';
import { MemoryRepository } from './memory.repository.js';
import type { EpisodicMemory, NewMemory } from './memory.types.js';

/** Words a search may use: letters and digits only (no query syntax reaches the database), at most 12. */
export function searchWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [])].slice(0, 12);
}

/** Episodic memories, scoped by network; announced to the apps as `episodic_memory` events once written. */
@Injectable()
export class MemoryService {
  constructor(
    private readonly repository: MemoryRepository,
    private readonly networks: NetworkService,
    private readonly realtime: RealtimePublisher,
    private readonly logger: AppLogger,
  ) {}

  /** Active memories (not expired), newest first. */
  list(networkId: string, page: { limit: number; offset: number }): Promise<EpisodicMemory[]> {
    return this.repository.listActive(networkId, page.limit, page.offset);
  }

  async get(networkId: string, id: string): Promise<EpisodicMemory> {
    const memory = await this.repository.find(networkId, id);
    if (!memory) throw MemoryErrors.notFound();
    return memory;
  }

  /** Full-text search over active memories (any of the query's words), best first. */
  async search(networkId: string, query: string, limit: number): Promise<EpisodicMemory[]> {
    const language = searchLanguageOf(await this.networks.settings(networkId));
    return this.repository.search(networkId, language, searchWords(query), limit);
  }

  /** Writes memories (each once, by its dedupe key) and announces the new ones. */
  async remember(networkId: string, memories: NewMemory[]): Promise<EpisodicMemory[]> {
    if (memories.length === 0) return [];
    const language = searchLanguageOf(await this.networks.settings(networkId));
    const written = await this.repository.insertMany(networkId, language, memories);
    for (const memory of written)
      await this.realtime.publish(networkId, 'episodic_memory', { id: memory.id });
    this.logger.info('memories_written', {
      network_id: networkId,
      written: written.length,
      asked: memories.length,
    });
    return written;
  }

  hasFromConversation(networkId: string, conversationId: string): Promise<boolean> {
    return this.repository.hasFromConversation(networkId, conversationId);
  }
}
