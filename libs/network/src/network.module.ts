import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@mira/audit';
import { NetworkAccessPort, provideHook } from '@mira/core';
import { AccountDeletionHook, IdentityModule } from '@mira/identity';
import { NetworkAccountHooks } from './network.account-hooks.js';
import { NetworkAccountRepository } from './network-account.repository.js';
import { ClientEntity } from './client.entity.js';
import { NetworkAccessService } from './network-access.service.js';
import { NetworkEntity } from './network.entity.js';
import { NetworkRepository } from './network.repository.js';
import { NetworkService } from './network.service.js';
import { NetworksController } from './networks.controller.js';
import { DeviceRegistrationController } from './device-registration.controller.js';
import { NetworkServiceController } from './network-service.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([NetworkEntity, ClientEntity]), IdentityModule, AuditModule],
  controllers: [NetworksController, DeviceRegistrationController, NetworkServiceController],
  providers: [
    NetworkRepository,
    NetworkService,
    NetworkAccountRepository,
    NetworkAccountHooks,
    provideHook(AccountDeletionHook, NetworkAccountHooks),
    { provide: NetworkAccessPort, useClass: NetworkAccessService },
  ],
  exports: [NetworkService, NetworkAccessPort],
})
export class NetworkModule {}
