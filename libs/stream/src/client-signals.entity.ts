import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ClientSignals } from './stream.types.js';

/** The stream_client_signals table (see ClientSignals). */
@Entity({ name: 'stream_client_signals' })
export class StreamClientSignalsEntity implements ClientSignals {
  @PrimaryColumn({ type: 'uuid' })
  networkId: string;

  @PrimaryColumn({ type: 'text' })
  clientId: string;

  @Column({ type: 'double precision', nullable: true })
  latitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  accuracyM: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  locationAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  rssiDbm: number | null;

  @Column({ type: 'text', nullable: true })
  rssiFrom: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  rssiAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
