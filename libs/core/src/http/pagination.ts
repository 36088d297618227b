import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Query-string integers are written in decimal digits, nothing else: Number() would also read "0x10", "+5", "1e3"
 * or " 5", which then pass as 16, 5 and 1000. Anything else stays a string and fails @IsInt (422).
 */
export const DecimalInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value,
  );

/** limit/offset query parameters shared by every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function pageBounds(query: PageQueryDto, defaultLimit = 50): { limit: number; offset: number } {
  return { limit: query.limit ?? defaultLimit, offset: query.offset ?? 0 };
}

/** The v2 list envelope: {items, total, limit, offset, next_offset} (next_offset null on the last page). */
export function pageEnvelope<T>(
  items: T[],
  total: number,
  limit: number,
  offset: number,
): Page<T> & { next_offset: number | null } {
  const next = offset + items.length;
  return { items, total, limit, offset, next_offset: items.length > 0 && next < total ? next : null };
}

/**
 * The OpenAPI class of a v2 list envelope of `item`s: `class PersonPageDto extends PageOf(PersonV2Dto, …) {}`.
 * `examples` are the list's typical total and its default limit (the example next_offset is one page on).
 */
export function PageOf<T>(item: Class<T>, examples: { total: number; limit: number }) {
  abstract class PageDto {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ example: examples.total })
    total: number;

    @ApiProperty({ example: examples.limit })
    limit: number;

    @ApiProperty({ example: 0 })
    offset: number;

    @ApiProperty({
      nullable: true,
      type: Number,
      example: examples.limit,
      description: 'offset of the next page, null at the end',
    })
    next_offset: number | null;
  }
  return PageDto;
}
