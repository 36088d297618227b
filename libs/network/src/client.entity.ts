import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A device registered in a network. Only the sha256 of its token is stored. */
@Entity({ name: 'clients' })
export class ClientEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  networkId: string;

  /** The device's own name from the path, e.g. "kitchen" or "desktop-client". */
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
}
