import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto, pageBounds } from '@mira/core';
import { toAuditEntryDto } from './audit.mapper.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

@ApiTags('audit')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Access('network-owner')
  @ApiOperation({
    summary:
      'Audit log of sensitive actions in this network (enrolments, voiceprint deletions, merges, device registrations and revocations), newest first',
  })
  @ApiResponse({ status: 200, type: AuditPageDto })
  @ApiResponse({
    status: 403,
    description: 'Device tokens cannot read the audit log',
    type: ErrorResponseDto,
  })
  async list(@Param('network_id') networkId: string, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const { limit, offset } = pageBounds(query, 50);
    const { items, total } = await this.audit.list(
      networkId,
      { action: query.action, since: query.since ? new Date(query.since) : undefined },
      limit,
      offset,
    );
    return { items: items.map(toAuditEntryDto), total, limit, offset };
  }
}
