import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** limit/offset query parameters shared by every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
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
