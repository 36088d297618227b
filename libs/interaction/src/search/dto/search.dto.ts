import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsStorableText } from '@mira/core';
import { InteractionListQueryDto, InteractionV2Dto } from '../../dto/interaction.dto.js';
import type { SearchMode, SemanticOutcome } from '../search.service.js';

const SEARCH_MODES: readonly SearchMode[] = ['text', 'semantic', 'hybrid'];
const SEMANTIC_OUTCOMES: readonly SemanticOutcome[] = ['ran', 'not_requested', 'unavailable', 'failed'];

/** person_id, since and until exactly as the interaction list takes them. */
export class InteractionSearchQueryDto extends PickType(InteractionListQueryDto, [
  'person_id',
  'since',
  'until',
] as const) {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    example: 'walk "after lunch" -rain',
    description:
      'What to look for, in web-search syntax: words (all must occur, in any inflection of the network language), ' +
      '"a phrase", `or`, and `-word` to exclude.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsStorableText()
  q: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    enum: SEARCH_MODES,
    description:
      'text: the words only; semantic: the meaning only (the nearest interactions, whatever their words, at least ' +
      'SEMANTIC_SEARCH_MIN_SIMILARITY similar to the query: a query about nothing finds nothing); hybrid: ' +
      'both rankings fused by reciprocal rank. Default: hybrid when semantic search is available, else text. When ' +
      'the semantic ranking cannot run (no Gemini, or it failed or timed out) the words answer alone and the ' +
      'answer says so (`mode`, `semantic`).',
  })
  @IsOptional()
  @IsIn(SEARCH_MODES)
  mode?: SearchMode;
}

export class HighlightSpanDto {
  @ApiProperty({ description: 'Offset of the first highlighted character in `text` (UTF-16 code units)' })
  start: number;

  @ApiProperty({ description: 'Offset just past the last highlighted character' })
  end: number;
}

export class SearchHighlightDto {
  @ApiProperty({ description: 'The passage of the content around the matches (fragments joined by " … ")' })
  text: string;

  @ApiProperty({ type: [HighlightSpanDto], description: 'Where the matched words are in `text`' })
  matches: HighlightSpanDto[];
}

export class InteractionSearchHitDto extends InteractionV2Dto {
  @ApiProperty({
    description:
      'Relevance, higher is better: the reciprocal-rank fusion of the text ranking and (when available) the ' +
      'semantic ranking, so scores compare within one answer only',
  })
  score: number;

  @ApiProperty({
    type: [String],
    enum: ['text', 'semantic'],
    description: 'Which rankings found it: the words (text) and/or the meaning (semantic)',
  })
  matched_by: ('text' | 'semantic')[];

  @ApiProperty({
    type: SearchHighlightDto,
    nullable: true,
    description: 'Null when only the semantic ranking found it (no word matched)',
  })
  highlight: SearchHighlightDto | null;
}

export class InteractionSearchResultDto {
  @ApiProperty({ type: [InteractionSearchHitDto] })
  items: InteractionSearchHitDto[];

  @ApiProperty({
    example: 'en',
    description:
      "The network's language (settings.language, ISO 639-1; English when unset) the words were matched in",
  })
  language: string;

  @ApiProperty({
    enum: SEARCH_MODES,
    description:
      'The mode that ran: the one asked for (or the default), or text when the semantic ranking could not run',
  })
  mode: SearchMode;

  @ApiProperty({
    enum: SEARCH_MODES,
    description: 'The mode asked for (`mode` query parameter, or the default)',
  })
  requested_mode: SearchMode;

  @ApiProperty({
    enum: SEMANTIC_OUTCOMES,
    description:
      'The semantic ranking: ran; not_requested (mode=text); unavailable (whatever the mode: no text embeddings ' +
      'here, GEMINI_API_KEY unset or SEMANTIC_SEARCH_ENABLED=false, see GET /health/detailed); failed (Gemini ' +
      'answered an error or not within SEMANTIC_SEARCH_QUERY_TIMEOUT_MS). `ran` is approximate: with pgvector a ' +
      "256-value prefix pass keeps 2000 candidates for the exact re-ranking; without it only the network's newest " +
      'SEMANTIC_SEARCH_SQL_SCAN_LIMIT embedded interactions are ranked (GET /health/detailed → semantic_search.ranking)',
  })
  semantic: SemanticOutcome;
}
