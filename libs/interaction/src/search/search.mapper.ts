import { toInteractionV2Dto } from '../interaction.mapper.js';
import { InteractionSearchResultDto } from './dto/search.dto.js';
import type { SearchAnswer } from './search.service.js';

export function toSearchResultDto(answer: SearchAnswer): InteractionSearchResultDto {
  return {
    items: answer.hits.map((hit) => ({
      ...toInteractionV2Dto(hit.interaction),
      score: Number(hit.score.toFixed(6)),
      matched_by: hit.matchedBy,
      highlight: hit.highlight,
    })),
    language: answer.language,
    mode: answer.mode,
    requested_mode: answer.requestedMode,
    semantic: answer.semantic,
  };
}
