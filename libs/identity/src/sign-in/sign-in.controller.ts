import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Post,
  Query,
  Redirect,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, ErrorResponseDto } from '@mira/core';
import { TokenResponseDto } from '../dto/auth.dto.js';
import { toTokenResponseDto } from '../user.mapper.js';
import {
  GitHubExchangeDto,
  GoogleCallbackDto,
  GoogleWebLoginQueryDto,
  RedirectPortQueryDto,
  SignInUrlDto,
} from './dto/sign-in.dto.js';
import { type CallbackQuery, SignInService } from './sign-in.service.js';

const NOT_CONFIGURED = {
  status: 404,
  description:
    'SIGN_IN_NOT_CONFIGURED: this server does not offer this sign-in (provider, PUBLIC_BASE_URL or OAUTH_SPA_ORIGINS not set)',
  type: ErrorResponseDto,
};
const PROVIDER_FAILED = {
  status: 502,
  description: 'SIGN_IN_PROVIDER_FAILED: the provider could not be reached or answered wrongly',
  type: ErrorResponseDto,
};
const REJECTED = {
  status: 401,
  description:
    'SIGN_IN_REJECTED: the provider refused the code, or its answer failed a check (issuer, audience, signature, ' +
    'expiry, nonce)',
  type: ErrorResponseDto,
};
const EMAIL_NOT_VERIFIED = {
  status: 403,
  description: 'EMAIL_NOT_VERIFIED (the provider did not verify the e-mail) / ACCOUNT_DISABLED',
  type: ErrorResponseDto,
};
const PORT_REFUSED = {
  status: 422,
  description: 'REDIRECT_PORT_NOT_ALLOWED (not in OAUTH_REDIRECT_PORTS) or a malformed port',
  type: ErrorResponseDto,
};
/** The parameters a provider's redirect carries (others it adds are accepted and ignored). */
const CallbackQueryDocs = () =>
  applyDecorators(
    ApiQuery({ name: 'code', required: false, description: 'From the provider' }),
    ApiQuery({ name: 'state', required: true, description: 'From the provider (the flow’s state)' }),
    ApiQuery({
      name: 'error',
      required: false,
      description: 'From the provider when the sign-in did not happen',
    }),
  );

/** The provider's redirect parameters as plain strings (the provider decides which it sends). */
function callbackQuery(request: Request): CallbackQuery {
  const out: CallbackQuery = {};
  for (const [key, value] of Object.entries(request.query)) {
    if (typeof value === 'string' && value.length <= 4096) out[key] = value;
  }
  return out;
}

/**
 * Sign-in with Google (desktop apps and the web app) and GitHub (desktop-app), as the shipped apps call it
 * (docs/sign-in.md). Every route is public: it is how a person without a token gets one.
 */
@ApiTags('auth')
@Controller('auth')
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  @Get('google/url')
  @Access('public')
  @ApiOperation({
    summary: 'Start Google sign-in from a desktop app',
    description:
      'Google redirects to http://127.0.0.1:{redirect_port}/auth/google/callback?code=…&state=…, which the app ' +
      'catches and sends to POST /auth/google/callback.',
  })
  @ApiResponse({ status: 200, type: SignInUrlDto })
  @ApiResponse(PORT_REFUSED)
  @ApiResponse(NOT_CONFIGURED)
  @ApiResponse(PROVIDER_FAILED)
  googleUrl(@Query() query: RedirectPortQueryDto): Promise<SignInUrlDto> {
    return this.signIn.startDesktop('google', query.redirect_port);
  }

  @Post('google/callback')
  @HttpCode(200)
  @Access('public')
  @ApiOperation({
    summary: 'Finish Google sign-in from a desktop app: the code and state its loopback port caught',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto })
  @ApiResponse({
    status: 400,
    description: 'INVALID_SIGN_IN_STATE: unknown, already used or expired state',
    type: ErrorResponseDto,
  })
  @ApiResponse(REJECTED)
  @ApiResponse(EMAIL_NOT_VERIFIED)
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  @ApiResponse(NOT_CONFIGURED)
  @ApiResponse(PROVIDER_FAILED)
  async googleCallback(@Body() body: GoogleCallbackDto): Promise<TokenResponseDto> {
    return toTokenResponseDto(await this.signIn.finishGoogleDesktop(body.code, body.state));
  }

  @Get('google/web/login')
  @Access('public')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start Google sign-in in a browser (the web app navigates here)',
    description:
      'Redirects to Google, which returns to GET /api/v1/auth/google/web/callback; that answers 302 to ' +
      '{spa_origin}/auth/callback?access_token=…&refresh_token=…&next=… or ?error=…&error_description=…&next=….',
  })
  @ApiResponse({ status: 302, description: "To Google's sign-in page" })
  @ApiResponse({
    status: 400,
    description: 'SPA_ORIGIN_NOT_ALLOWED: spa_origin is not in OAUTH_SPA_ORIGINS',
    type: ErrorResponseDto,
  })
  @ApiResponse(NOT_CONFIGURED)
  @ApiResponse(PROVIDER_FAILED)
  async googleWebLogin(@Query() query: GoogleWebLoginQueryDto): Promise<{ url: string; statusCode: number }> {
    return { url: await this.signIn.startGoogleWeb(query.next, query.spa_origin), statusCode: 302 };
  }

  @Get('google/web/callback')
  @Access('public')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @CallbackQueryDocs()
  @ApiOperation({
    summary: 'Where Google returns the browser (register this URL at Google); redirects to the web app',
    description:
      '302 to {spa_origin}/auth/callback with access_token, refresh_token and next, or with error and ' +
      'error_description (the provider refused, an e-mail it did not verify, a token that failed a check). ' +
      'An unknown, used or expired state goes to the first of OAUTH_SPA_ORIGINS with error=invalid_sign_in_state.',
  })
  @ApiResponse({ status: 302, description: 'To the web app’s /auth/callback' })
  @ApiResponse({
    status: 400,
    description: 'INVALID_SIGN_IN_STATE when no web app origin is configured to send it to',
    type: ErrorResponseDto,
  })
  async googleWebCallback(@Req() request: Request): Promise<{ url: string; statusCode: number }> {
    return { url: await this.signIn.finishGoogleWeb(callbackQuery(request)), statusCode: 302 };
  }

  @Get('github/url')
  @Access('public')
  @ApiOperation({
    summary: 'Start GitHub sign-in from a desktop app',
    description:
      'GitHub returns to Mira (GET /api/v1/auth/github/callback), which checks the state and redirects to ' +
      'http://127.0.0.1:{redirect_port}/auth/github/callback?code=<Mira’s one-time code>; the app sends that code ' +
      'to POST /auth/github/exchange.',
  })
  @ApiResponse({ status: 200, type: SignInUrlDto })
  @ApiResponse(PORT_REFUSED)
  @ApiResponse(NOT_CONFIGURED)
  githubUrl(@Query() query: RedirectPortQueryDto): Promise<SignInUrlDto> {
    return this.signIn.startDesktop('github', query.redirect_port);
  }

  @Get('github/callback')
  @Access('public')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @CallbackQueryDocs()
  @ApiOperation({
    summary: 'Where GitHub returns the sign-in window (register this URL at GitHub); redirects to the app',
    description:
      '302 to http://127.0.0.1:{redirect_port}/auth/github/callback?code=…&state=… (code: Mira’s one-time code, ' +
      'valid OAUTH_STATE_TTL_SECONDS), or ?error=…&error_description=… when the sign-in failed.',
  })
  @ApiResponse({ status: 302, description: 'To the app’s loopback port' })
  @ApiResponse({
    status: 400,
    description: 'INVALID_SIGN_IN_STATE: unknown, already used or expired state',
    type: ErrorResponseDto,
  })
  @ApiResponse(NOT_CONFIGURED)
  async githubCallback(@Req() request: Request): Promise<{ url: string; statusCode: number }> {
    return { url: await this.signIn.finishGitHubCallback(callbackQuery(request)), statusCode: 302 };
  }

  @Post('github/exchange')
  @HttpCode(200)
  @Access('public')
  @ApiOperation({
    summary: 'Finish GitHub sign-in from a desktop app: Mira’s one-time code for the token pair',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto })
  @ApiResponse({
    status: 400,
    description: 'INVALID_SIGN_IN_CODE: unknown, already used, expired, or for another port',
    type: ErrorResponseDto,
  })
  @ApiResponse({ status: 403, description: 'ACCOUNT_DISABLED', type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  @ApiResponse(NOT_CONFIGURED)
  async githubExchange(@Body() body: GitHubExchangeDto): Promise<TokenResponseDto> {
    return toTokenResponseDto(await this.signIn.exchangeGitHub(body.code, body.redirect_port));
  }
}
