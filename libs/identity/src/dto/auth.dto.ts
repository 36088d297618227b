import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

const trimLower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(trimLower)
  @IsString()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 256 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(trimLower)
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from login, register or a previous refresh (single use)' })
  @IsString()
  @MaxLength(512)
  refresh_token: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty()
  is_active: boolean;

  @ApiProperty({
    description:
      'False for an account made by signing in with Google or GitHub (it has no password to sign in with)',
  })
  has_password: boolean;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'JWT access token (HS256); send as Authorization: Bearer <token>' })
  access_token: string;

  @ApiProperty({ description: 'Opaque refresh token; single use, rotated by /auth/refresh' })
  refresh_token: string;

  @ApiProperty({ example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ description: 'Access token lifetime in seconds', example: 900 })
  expires_in: number;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}
