import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-column.js';

/** Who holds the floor in a network; the arbitration locks this row (SELECT … FOR UPDATE). */
@Entity({ name: 'stream_floors' })
export class StreamFloorEntity {
  @PrimaryColumn({ type: 'uuid' })
  networkId: string;

  @Column({ type: 'uuid', nullable: true })
  holderStreamRowId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  holderSince: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUntil: Date | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  decisions: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
