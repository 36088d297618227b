import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@mira/audit';
import { AppConfig, HealthRegistry } from '@mira/core';
import { AccountDeletionService } from './account-deletion.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { IdentityRepository } from './identity.repository.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { GitHubSignIn } from './sign-in/github-sign-in.js';
import { GoogleSignIn } from './sign-in/google-sign-in.js';
import { SignInController } from './sign-in/sign-in.controller.js';
import { SignInRepository } from './sign-in/sign-in.repository.js';
import { SignInService } from './sign-in/sign-in.service.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity]), AuditModule],
  controllers: [AuthController, SignInController],
  providers: [
    IdentityRepository,
    AuthService,
    AccountDeletionService,
    UsersService,
    SignInRepository,
    SignInService,
    GoogleSignIn,
    GitHubSignIn,
  ],
  exports: [UsersService],
})
export class IdentityModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly config: AppConfig,
    private readonly google: GoogleSignIn,
    private readonly github: GitHubSignIn,
  ) {}

  onModuleInit(): void {
    // Sign-in with a provider is optional: e-mail and password always work, so nothing here makes Mira unhealthy.
    this.health.register('sign_in', () => ({
      status: 'healthy',
      password: true,
      google: this.google.configured,
      google_web: this.google.configured && this.config.values.signIn.spaOrigins.length > 0,
      github: this.github.configured,
    }));
  }
}
