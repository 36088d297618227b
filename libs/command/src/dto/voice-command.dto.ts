import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DEVICE_NAME_RULE } from '@mira/network';

/** The text fields of POST /actions/voice (the audio is the multipart file `audio`). */
export class VoiceCommandFieldsDto {
  @ApiProperty({ example: 'desktop-client', description: `The device that heard it: ${DEVICE_NAME_RULE}` })
  @IsString()
  @MaxLength(256)
  client_id: string;

  @ApiPropertyOptional({
    description: 'The realtime session_ready token (accepted; the bearer token decides)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  session_token?: string;
}
