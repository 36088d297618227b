import { Controller, Get, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
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
  @ApiOperation({ summary: 'API name, version and status' })
  @ApiResponse({ status: 200, type: RootDto })
  root(): RootDto {
    return {
      message: 'Mira Backend API',
      version: this.config.values.appVersion,
      status: 'running',
      stable: 'v1',
      beta: 'v2',
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
  @Access('public')
  @ApiOperation({
    summary: 'Every component: database, model engines, language model; 503 when one is unhealthy',
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
