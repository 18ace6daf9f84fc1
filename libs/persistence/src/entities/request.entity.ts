import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OutboundRequestBody, RequestStatus, RoutingDecision, UnitLevel } from '@ixr/domain';

@Entity({ name: 'requests' })
export class RequestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'requesting_unit', type: 'text' })
  requestingUnit!: string;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  /** The submitting unit's level (SPEC §9); empty for an inbound request. */
  @Column({ type: 'text', nullable: true })
  level!: UnitLevel | null;

  @Column({ name: 'mission_type', type: 'text' })
  missionType!: string;

  @Column({ type: 'json' })
  body!: OutboundRequestBody;

  @Column({ name: 'body_hash', type: 'text' })
  bodyHash!: string;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ type: 'text' })
  status!: RequestStatus;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'deadline_at', type: 'timestamptz', nullable: true })
  deadlineAt!: Date | null;

  @Column({ name: 'deadline_basis', type: 'text', nullable: true })
  deadlineBasis!: string | null;

  @Column({ type: 'json', nullable: true })
  decision!: RoutingDecision | null;

  @Column({ name: 'routed_at', type: 'timestamptz', nullable: true })
  routedAt!: Date | null;
}
