import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One entry of the tamper-evident exchange log (SPEC §5). Rows are only ever inserted:
 * the database refuses UPDATE, DELETE and TRUNCATE (see the migration).
 */
@Entity({ name: 'exchange_log' })
export class ExchangeEntryEntity {
  /** The log epoch (0 until an operator opens a new one after a loss; README "Log epochs"). */
  @PrimaryColumn({ type: 'integer', default: 0 })
  epoch!: number;

  /** The position in its epoch's chain and tree, from 0. */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'event_id', type: 'text', unique: true })
  eventId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  /** RFC 8785 canonical JSON of the entry: the exact bytes that are hashed. */
  @Column({ type: 'text' })
  entry!: string;

  @Column({ name: 'leaf_hash', type: 'bytea' })
  leafHash!: Buffer;

  @Column({ name: 'prev_leaf_hash', type: 'bytea' })
  prevLeafHash!: Buffer;
}
