import { isoUtc } from '@mira/core';
import { TokenResponseDto, UserDto } from './dto/auth.dto.js';
import type { IssuedTokens, User } from './identity.types.js';

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    is_active: user.isActive,
    has_password: user.hasPassword,
    created_at: isoUtc(user.createdAt),
  };
}

export function toTokenResponseDto(tokens: IssuedTokens): TokenResponseDto {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: 'bearer',
    expires_in: tokens.expiresIn,
    user: toUserDto(tokens.user),
  };
}
