import { Controller, Get, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_LINES, appLineOf } from '@mira/apps';
import { Access, AppConfig, HealthRegistry, RateBudget, ShutdownCoordinator } from '@mira/core';
import { DetailedHealthDto, HealthDto, RootDto } from './health.dto.js';

@ApiTags('health')
@RateBudget('exempt')
@Controller({ version: VERSION_NEUTRAL })
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: AppConfig,
    private readonly registry: HealthRegistry,
    private readonly shutdown: ShutdownCoordinator,
  ) {}

  @Get()
  @Access('public')
  @ApiOperation({
    summary: 'API name, version and status',
    description:
      `At the root, \`version\` is Mira's own. Below an app line's base path (${APP_LINES.map((l) => l.basePath).join(', ')}) ` +
      "it is the version of that app whose contract Mira serves there, which the app's launch check compares " +
      "with its own major; Mira's own version is then in `mira_version`.",
  })
  @ApiResponse({ status: 200, type: RootDto })
  root(@Req() request: Request): RootDto {
    const line = appLineOf(request);
    const own = this.config.values.appVersion;
    return {
      message: 'Mira Backend API',
      version: line ? line.contractVersion : own,
      status: 'running',
      stable: 'v1',
      beta: 'v2',
      mira_version: own,
      app_line: line?.name ?? null,
    };
  }

  @Get('health')
  @Access('public')
  @ApiOperation({
    summary: 'Load-balancer health: the process is up and serving (does not touch the database)',
    description:
      'Answers 503 with status "draining" once the instance has received SIGTERM, so that the load balancer ' +
      'stops routing to it while in-flight work finishes.',
  })
  @ApiResponse({ status: 200, type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto, description: 'Draining for shutdown' })
  health(@Res({ passthrough: true }) res: Response): HealthDto {
    if (this.shutdown.isDraining) {
      res.status(503);
      return { status: 'draining', timestamp: new Date().toISOString() };
    }
    return { status: 'healthy', timestamp: new Date().toISOString() };
  }

  @Get('health/detailed')
  @Access('operator')
  @ApiOperation({
    summary: 'Every component: database, model engines, language model; 503 when one is unhealthy',
    description:
      'For operators (it names model files and language-model settings): with METRICS_TOKEN configured, send ' +
      '`Authorization: Bearer <token>`; without it the route answers only when OPS_ENDPOINTS_PUBLIC is on (the ' +
      'default outside production), else 404. GET /health stays public for load balancers.',
  })
  @ApiResponse({ status: 200, type: DetailedHealthDto })
  @ApiResponse({ status: 503, type: DetailedHealthDto })
  async detailed(@Res({ passthrough: true }) res: Response): Promise<DetailedHealthDto> {
    const checks = await this.registry.runAll();
    const statuses = Object.values(checks).map((c) => c.status);
    const status = statuses.includes('unhealthy')
      ? 'unhealthy'
      : statuses.includes('degraded')
        ? 'degraded'
        : 'healthy';
    if (status === 'unhealthy') res.status(503);
    return {
      status,
      checks,
      version: this.config.values.appVersion,
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      timestamp: new Date().toISOString(),
    };
  }
}
