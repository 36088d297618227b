import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'name' })
  field: string;

  @ApiProperty({ type: [String], example: ['name must be shorter than or equal to 255 characters'] })
  messages: string[];
}

/** The one error body every route returns. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'Person not found in network' })
  detail: string;

  @ApiProperty({ example: 'PERSON_NOT_FOUND' })
  error_code: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  timestamp: string;

  @ApiProperty({ example: '5f0c6a4e-5d7a-4a53-9a7e-1b8f1a3f9c21' })
  request_id: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on 422: which fields failed and why' })
  fields?: FieldErrorDto[];
}
