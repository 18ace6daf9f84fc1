import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Claims } from '@ixr/auth';
import { Clock, UnauthenticatedError } from '@ixr/platform';
import { toDependencyError } from '../http/dependency-errors';

/** How long a ticket may wait before it is used (SPEC §7). */
export const TICKET_TTL_MS = 60_000;

const hash = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * One-time tickets for browsers, whose EventSource cannot send an Authorization header: a signed-in
 * caller trades its token for a ticket, valid 60 s, good for one connection. Only the ticket's
 * hash is stored, with the caller's claims, so every intake instance can redeem it.
 */
@Injectable()
export class EventTickets {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async issue(claims: Claims): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + TICKET_TTL_MS);
    try {
      await this.dataSource.query(`DELETE FROM event_tickets WHERE expires_at < $1`, [now]);
      await this.dataSource.query(
        `INSERT INTO event_tickets (ticket_hash, claims, expires_at) VALUES ($1, $2, $3)`,
        [hash(ticket), JSON.stringify(claims), expiresAt],
      );
    } catch (error) {
      throw toDependencyError(error);
    }
    return { ticket, expiresAt: expiresAt.toISOString() };
  }

  /** The claims a ticket was issued for; the ticket is spent whatever the outcome. */
  async redeem(ticket: string): Promise<Claims> {
    let rows: { claims: Claims; expires_at: Date }[];
    try {
      rows = await this.dataSource.query(
        `WITH spent AS (DELETE FROM event_tickets WHERE ticket_hash = $1 RETURNING claims, expires_at)
         SELECT * FROM spent`,
        [hash(ticket)],
      );
    } catch (error) {
      throw toDependencyError(error);
    }
    const [row] = rows;
    if (!row)
      throw new UnauthenticatedError(
        'unknown or already used ticket: get a new one from POST /v1/events/ticket',
      );
    if (row.expires_at.getTime() < this.clock.now().getTime()) {
      throw new UnauthenticatedError('the ticket expired (tickets are valid 60 s): get a new one');
    }
    return row.claims;
  }
}
