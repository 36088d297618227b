import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, AppConfig, CommonErrors, ErrorResponseDto, MetricsService, RateBudget } from '@mira/core';

/** Prometheus scrape endpoint, outside /api. Public unless METRICS_TOKEN is set. */
@ApiTags('health')
@RateBudget('exempt')
@Controller({ version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get('metrics')
  @Access('public')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'HTTP request durations by route and status, audio stage durations, job queue depth and age, active ' +
      'streams, process metrics. When METRICS_TOKEN is configured, send `Authorization: Bearer <token>`.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4' })
  @ApiResponse({ status: 401, description: 'METRICS_TOKEN is set and was not sent', type: ErrorResponseDto })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const expected = this.config.values.metricsToken;
    if (expected !== undefined && !bearerMatches(authorization, expected)) {
      throw CommonErrors.unauthenticated('This endpoint needs the metrics token');
    }
    const { contentType, body } = await this.metrics.exposition();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    return body;
  }
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
