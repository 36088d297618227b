import { ApiProperty } from '@nestjs/swagger';

export class RootDto {
  @ApiProperty({ example: 'Mira Backend API' })
  message: string;

  @ApiProperty({ example: '1.0.0', description: "Mira's version, or at an app line's base path that app's" })
  version: string;

  @ApiProperty({ example: 'running' })
  status: string;

  @ApiProperty({ example: 'v1' })
  stable: string;

  @ApiProperty({ example: 'v2' })
  beta: string;

  @ApiProperty({ example: '1.0.0', description: "Mira's own version" })
  mira_version: string;

  @ApiProperty({
    enum: ['desktop-app', 'dadei'],
    nullable: true,
    type: String,
    description: 'The app line whose base path was asked (null at the root)',
  })
  app_line: string | null;
}

export class HealthDto {
  @ApiProperty({ enum: ['healthy', 'draining'], example: 'healthy' })
  status: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  timestamp: string;
}

export class DetailedHealthDto {
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'] })
  status: string;

  @ApiProperty({
    description:
      'One entry per component (database, audio engines, language model, ...), each with its own status',
    example: { database: { status: 'healthy', engine: 'postgresql', latency_ms: 1 } },
  })
  checks: Record<string, unknown>;

  @ApiProperty({ example: '1.0.0' })
  version: string;

  @ApiProperty({ description: 'Seconds since the process started', example: 3600 })
  uptime: number;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  timestamp: string;
}
