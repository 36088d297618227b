import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@mira/audit';
import { NetworkAccessPort } from '@mira/core';
import { IdentityModule } from '@mira/identity';
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
    { provide: NetworkAccessPort, useClass: NetworkAccessService },
  ],
  exports: [NetworkService, NetworkAccessPort],
})
export class NetworkModule {}
