import { Controller, Get, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, MetricsService, RateBudget } from '@mira/core';

/** Prometheus scrape endpoint, outside /api, for operators (access rule `operator`). */
@ApiTags('health')
@RateBudget('exempt')
@Controller({ version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Access('operator')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'HTTP request durations by route and status, audio stage durations, job queue depth and age, active ' +
      'streams, process metrics. With METRICS_TOKEN configured, send `Authorization: Bearer <token>`; without ' +
      'it the route answers only when OPS_ENDPOINTS_PUBLIC is on (the default outside production), else 404.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4' })
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    const { contentType, body } = await this.metrics.exposition();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    return body;
  }
}
