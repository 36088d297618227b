import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsStorableText } from '@mira/core';
import { InteractionListQueryDto, InteractionV2Dto } from '../../dto/interaction.dto.js';

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
    enum: ['text', 'text+semantic'],
    description:
      'text+semantic when semantic search is available (Gemini configured and the pgvector extension installed), ' +
      'else text; GET /health/detailed says why',
  })
  mode: 'text' | 'text+semantic';
}
