import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, DeadlineBasis, MessageBody } from '@ixr/domain';
import { createEnvelope, EVENT_TYPES, TOPICS, type RequestReceived } from '@ixr/messaging';
import { RequestEntity, RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator, IdempotencyConflictError, ValidationFailedError } from '@ixr/platform';
import { languageIssues } from '@ixr/routing';
import { toDependencyError } from '../http/dependency-errors';
import { bodyHashOf, isUniqueViolation } from '../http/idempotency';
import { RequestWriter } from './request-writer';

/** Computes the legal reply deadline of a request at receipt (SPEC §4.2). */
export interface DeadlinePolicy {
  deadlineFor(
    body: MessageBody,
    receivedAt: Date,
    requestingUnit: string,
  ): Promise<{ at: string | null; basis: DeadlineBasis }>;
}
export const DEADLINE_POLICY = Symbol('DEADLINE_POLICY');

export interface SubmitResult {
  id: string;
  status: string;
  receivedAt: string;
  deadline: { at: string | null; basis: string };
  /** True when an earlier submission with the same Idempotency-Key was returned. */
  replayed: boolean;
}

export const INTAKE_SOURCE = 'ixr/intake-api';

/**
 * Stores a new outbound request and its `received` event in one transaction (transactional
 * outbox): either both exist or neither. Concurrent submissions share that transaction
 * (RequestWriter); the relay publishes the events after the commit.
 */
@Injectable()
export class SubmitRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: RequestWriter,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(DEADLINE_POLICY) private readonly deadlines: DeadlinePolicy,
    private readonly routingConfig: RoutingConfigStore,
  ) {}

  async execute(actor: Actor, body: MessageBody, idempotencyKey?: string): Promise<SubmitResult> {
    const bodyHash = bodyHashOf(body);
    try {
      if (idempotencyKey) {
        const earlier = await this.findByKey(actor.unit, idempotencyKey);
        if (earlier) return this.replay(earlier, bodyHash);
      }
      return await this.insert(actor, body, bodyHash, idempotencyKey);
    } catch (error) {
      if (idempotencyKey && isUniqueViolation(error, 'requests_idempotency')) {
        // A concurrent submission with the same key won the race.
        const earlier = await this.findByKey(actor.unit, idempotencyKey);
        if (earlier) return this.replay(earlier, bodyHash);
      }
      throw toDependencyError(error);
    }
  }

  /** Art 11: every target must accept the request's language (400 naming each that does not). */
  private async checkLanguage(body: MessageBody): Promise<void> {
    const { directory } = await this.routingConfig.active();
    const issues = languageIssues(directory, body.targetCountries, body.language);
    if (issues.length > 0) {
      throw new ValidationFailedError(
        `the request's language is not accepted by every target (Directive 2023/977 Art 11): ${issues.map((i) => i.message).join('; ')}`,
        issues,
      );
    }
  }

  private async insert(
    actor: Actor,
    body: MessageBody,
    bodyHash: string,
    idempotencyKey: string | undefined,
  ): Promise<SubmitResult> {
    await this.checkLanguage(body);
    const id = this.ids.uuid();
    const receivedAt = this.clock.now();
    const deadline = await this.deadlines.deadlineFor(body, receivedAt, actor.unit);
    const data: RequestReceived = { requestId: id, actor, receivedAt: receivedAt.toISOString(), body };
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.requestReceived],
      source: INTAKE_SOURCE,
      time: receivedAt,
      subject: id,
      data,
    });
    await this.writer.write({
      id,
      requestingUnit: actor.unit,
      requestedBy: actor.person,
      level: actor.level ?? null,
      missionType: body.missionType,
      bodyJson: JSON.stringify(body),
      bodyHash,
      idempotencyKey: idempotencyKey ?? null,
      receivedAt,
      deadlineAt: deadline.at ? new Date(deadline.at) : null,
      deadlineBasis: deadline.basis,
      event: { topic: TOPICS.requestReceived, key: id, value: JSON.stringify(envelope) },
    });
    return { id, status: 'received', receivedAt: receivedAt.toISOString(), deadline, replayed: false };
  }

  private findByKey(unit: string, key: string): Promise<RequestEntity | null> {
    return this.dataSource
      .getRepository(RequestEntity)
      .findOne({ where: { requestingUnit: unit, idempotencyKey: key } });
  }

  private replay(earlier: RequestEntity, bodyHash: string): SubmitResult {
    if (earlier.bodyHash !== bodyHash) {
      throw new IdempotencyConflictError(
        'this Idempotency-Key was already used for a different request body; use a new key for a new request',
      );
    }
    return {
      id: earlier.id,
      status: earlier.status,
      receivedAt: earlier.receivedAt.toISOString(),
      deadline: { at: earlier.deadlineAt?.toISOString() ?? null, basis: earlier.deadlineBasis ?? 'none' },
      replayed: true,
    };
  }
}
