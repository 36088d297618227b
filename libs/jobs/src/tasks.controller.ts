import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto, UuidParamPipe } from '@mira/core';
import { TaskDto } from './dto/task.dto.js';
import { toTaskDto } from './task.mapper.js';
import { TaskService } from './task.service.js';

/** Long background work a client started (a recording's processing), followed by its task id. */
@ApiTags('tasks')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/tasks')
export class TasksController {
  constructor(private readonly tasks: TaskService) {}

  @Get(':task_id')
  @Access('network')
  @ApiParam({ name: 'task_id', format: 'uuid' })
  @ApiOperation({
    summary: 'Status and progress of a task (e.g. the task_id POST /recordings answered)',
    description:
      'Poll until status is done, failed or cancelled. A task survives restarts: after a crash it is resumed ' +
      'where it stopped (attempts counts the runs).',
  })
  @ApiResponse({ status: 200, type: TaskDto })
  @ApiResponse({ status: 404, description: 'TASK_NOT_FOUND', type: ErrorResponseDto })
  async get(
    @Param('network_id') networkId: string,
    @Param('task_id', new UuidParamPipe('task_id')) taskId: string,
  ): Promise<TaskDto> {
    return toTaskDto(await this.tasks.get(networkId, taskId));
  }
}
