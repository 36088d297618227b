export * from './interaction.module.js';
export * from './interaction.service.js';
export * from './interaction.hooks.js';
export * from './interaction.types.js';
export * from './interaction.errors.js';
export type { InteractionFilter, InteractionSort, NewInteraction } from './interaction.repository.js';
export { InteractionDto } from './dto/interaction.dto.js';
export { toInteractionDto } from './interaction.mapper.js';
export { searchLanguageOf } from './search/search-text.js';
export { InteractionEmbedder } from './semantic/interaction-embedder.js';
export {
  InteractionEmbeddingRepository,
  SEMANTIC_PREFIX_CANDIDATES,
  type SemanticScanBounds,
} from './semantic/interaction-embedding.repository.js';
