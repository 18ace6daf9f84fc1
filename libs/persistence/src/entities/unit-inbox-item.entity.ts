import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A message delivered to a national unit or the SPOC (channels national_spoc, national_unit). */
@Entity({ name: 'unit_inbox' })
export class UnitInboxItemEntity {
  @PrimaryColumn({ name: 'delivery_id', type: 'uuid' })
  deliveryId!: string;

  @Column({ type: 'text' })
  unit!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'text' })
  channel!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
