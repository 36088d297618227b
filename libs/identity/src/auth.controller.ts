import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, ErrorResponseDto, type Principal } from '@mira/core';
import { LoginDto, RefreshDto, RegisterDto, TokenResponseDto, UserDto } from './dto/auth.dto.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AuthService } from './auth.service.js';
import { toTokenResponseDto, toUserDto } from './user.mapper.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Post('register')
  @Access('public')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiResponse({ status: 201, type: TokenResponseDto })
  @ApiResponse({ status: 409, description: 'E-mail already registered', type: ErrorResponseDto })
  @ApiResponse({ status: 422, description: 'Invalid e-mail or password too short', type: ErrorResponseDto })
  async register(@Body() body: RegisterDto): Promise<TokenResponseDto> {
    return toTokenResponseDto(await this.auth.register(body.email, body.password));
  }

  @Post('login')
  @HttpCode(200)
  @Access('public')
  @ApiOperation({ summary: 'Sign in with e-mail and password' })
  @ApiResponse({ status: 200, type: TokenResponseDto })
  @ApiResponse({ status: 401, description: 'Incorrect e-mail or password', type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  async login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    return toTokenResponseDto(await this.auth.login(body.email, body.password));
  }

  @Post('refresh')
  @HttpCode(200)
  @Access('public')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto })
  @ApiResponse({
    status: 401,
    description: 'Unknown, used, revoked or expired refresh token',
    type: ErrorResponseDto,
  })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  async refresh(@Body() body: RefreshDto): Promise<TokenResponseDto> {
    return toTokenResponseDto(await this.auth.refresh(body.refresh_token));
  }

  @Post('logout')
  @HttpCode(204)
  @Access('public')
  @ApiOperation({ summary: 'Revoke a refresh token and every token rotated from it' })
  @ApiResponse({ status: 204, description: 'Revoked (also for unknown tokens)' })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  @Get('me')
  @Access('user')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiResponse({ status: 200, type: UserDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return toUserDto(await this.auth.me(principal.kind === 'user' ? principal.userId : ''));
  }

  @Delete('me')
  @HttpCode(204)
  @Access('user')
  @ApiOperation({
    summary: 'Delete the signed-in account and everything in it',
    description:
      'In one transaction: every network the account owns with everything in it (devices, persons and voiceprints, ' +
      'audio, interactions, conversations, actions, memories, jobs, audit rows), its sessions and its Google or ' +
      'GitHub identities. Its access, refresh and device tokens stop working at once and its realtime sockets are ' +
      'closed (4001) on every instance. One audit row stays: the action, the time, the request id and counts; ' +
      'nothing that names the account.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  async deleteMe(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.deletion.deleteAccount(principal.kind === 'user' ? principal.userId : '');
  }
}
