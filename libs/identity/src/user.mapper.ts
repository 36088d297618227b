import { isoUtc } from '@mira/core';
import { UserDto } from './dto/auth.dto.js';
import { UserEntity } from './user.entity.js';

export function toUserDto(user: UserEntity): UserDto {
  return {
    id: user.id,
    email: user.email,
    is_active: user.isActive,
    has_password: true,
    created_at: isoUtc(user.createdAt),
  };
}
