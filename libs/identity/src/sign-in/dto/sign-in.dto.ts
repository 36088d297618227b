import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class RedirectPortQueryDto {
  @ApiProperty({
    description:
      "The desktop app's loopback port for the provider's redirect; must be one of OAUTH_REDIRECT_PORTS",
    example: 4280,
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  redirect_port: number;
}

export class SignInUrlDto {
  @ApiProperty({ description: "The provider's sign-in page to open (carries state, PKCE challenge, nonce)" })
  url: string;

  @ApiProperty({ description: 'The flow’s single-use state (also inside `url`); send it back with the code' })
  state: string;
}

export class GoogleCallbackDto {
  @ApiProperty({ description: 'The `code` the loopback redirect carried' })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  code: string;

  @ApiProperty({ description: 'The `state` the loopback redirect carried (single use)' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  state: string;
}

export class GitHubExchangeDto {
  @ApiProperty({ description: "The one-time `code` Mira's redirect to the loopback port carried" })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  code: string;

  @ApiProperty({ description: 'The port the flow was started with', example: 4280 })
  @IsInt()
  @Min(1)
  @Max(65535)
  redirect_port: number;
}

export class GoogleWebLoginQueryDto {
  @ApiPropertyOptional({
    description:
      'Path inside the SPA to continue at (returned as `next`); anything but a local path is dropped',
    example: '/assistant',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  next?: string;

  @ApiPropertyOptional({
    description:
      'Where the SPA runs (window.location.origin); must be one of OAUTH_SPA_ORIGINS. Default: the first',
    example: 'https://app.example.com',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  spa_origin?: string;
}
