import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Device } from './network.types.js';

/** A device registered in a network. Only the sha256 of its token is stored. */
@Entity({ name: 'clients' })
export class ClientEntity implements Device {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  /** The device's own name, e.g. "kitchen" or "desktop-client" (rule: device-name.ts). */
  @Column({ type: 'text' })
  clientId: string;

  @Column({ type: 'text' })
  tokenHash: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** What the device said about itself when it registered (the shipped apps send their addresses). */
  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;
}
