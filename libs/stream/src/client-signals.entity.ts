import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Location and RSSI reported by phones about a device. */
@Entity({ name: 'stream_client_signals' })
export class StreamClientSignalsEntity {
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
