import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@mira/audit';
import { PersonEntity } from './person.entity.js';
import { PersonRepository } from './person.repository.js';
import { PersonService } from './person.service.js';
import { PersonsV1Controller, PersonsV2Controller } from './persons.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([PersonEntity]), AuditModule],
  controllers: [PersonsV1Controller, PersonsV2Controller],
  providers: [PersonRepository, PersonService],
  exports: [PersonService],
})
export class PersonModule {}
