import { Module } from '@nestjs/common';
import { ActionModule } from '@mira/action';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { MemoryModule } from '@mira/memory';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { RealtimeAuthenticator } from './realtime-authenticator.js';
import { RealtimeDispatcher } from './realtime-dispatcher.js';
import { RealtimeEventLoader } from './realtime-event-loader.js';
import { RealtimeController } from './realtime.controller.js';
import { RealtimeV1Gateway, RealtimeV2Gateway } from './realtime.gateway.js';
import { RealtimeRegistry } from './realtime-registry.js';
import { RealtimeSessions } from './realtime-sessions.js';

/**
 * The apps' WebSocket: sockets authenticated on connect, per network, fed by the notices services publish through
 * RealtimePublisher (@mira/core). Nothing outside this module sends to a socket.
 */
@Module({
  imports: [NetworkModule, InteractionModule, ConversationModule, PersonModule, ActionModule, MemoryModule],
  controllers: [RealtimeController],
  providers: [
    RealtimeAuthenticator,
    RealtimeRegistry,
    RealtimeSessions,
    RealtimeEventLoader,
    RealtimeDispatcher,
    RealtimeV1Gateway,
    RealtimeV2Gateway,
  ],
})
export class RealtimeModule {}
