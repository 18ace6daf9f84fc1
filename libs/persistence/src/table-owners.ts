/**
 * One owner per table (STYLE "One owner per table"), declared here and nowhere else: the service
 * that writes each table, the services that read it, and — listed apart, never hidden — the writes
 * by another service that are still to be replaced by events. The migrations' grants
 * (`applyTableGrants`), the boot check of every service (`assertServiceConnection`) and the
 * README's table ("Table owners", checked by a unit test) are all read from this file.
 */
export type OwningService = 'intake' | 'router' | 'adapters' | 'log';

export const OWNING_SERVICES: readonly OwningService[] = ['intake', 'router', 'adapters', 'log'];

/** Each service's own database login (SPEC §6), created by `npm run migrate`. */
export const SERVICE_LOGINS: Record<OwningService, string> = {
  intake: 'ixr_intake',
  router: 'ixr_router',
  adapters: 'ixr_adapters',
  log: 'ixr_log',
};

/** The app of each service (its folder under apps/, and its `application_name` without `ixr-`). */
export const SERVICE_APPS: Record<OwningService, string> = {
  intake: 'intake-api',
  router: 'router',
  adapters: 'channel-adapters',
  log: 'exchange-log',
};

/** The variable that holds each service's connection (its own login), so one environment holds all four. */
export const SERVICE_DATABASE_URL_VARIABLES = {
  intake: 'INTAKE_DATABASE_URL',
  router: 'ROUTER_DATABASE_URL',
  adapters: 'ADAPTERS_DATABASE_URL',
  log: 'LOG_DATABASE_URL',
} as const satisfies Record<OwningService, string>;

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface TableGrant {
  owner: OwningService;
  /** Services that read the table (SELECT); the owner reads its own tables anyway. */
  readers: readonly OwningService[];
  /** The owner may only add rows (the exchange log): INSERT, never UPDATE or DELETE. */
  appendOnly?: true;
  /**
   * Every service that uses the table writes only rows of its own (row-level security on the
   * column `writer`, which defaults to the login): the outbox and the processed-event ledger.
   */
  perServiceRows?: readonly OwningService[];
  /**
   * With `perServiceRows`: every row is read by every service of `perServiceRows` and `readers`
   * (the data keys: each service writes its own, all open everyone's); without it each service
   * reads only its own rows.
   */
  readsAllRows?: true;
  /** What the table holds, for the README. */
  holds: string;
}

export const TABLES = {
  // The intake: what units submit and see, and the desk's own records.
  requests: {
    owner: 'intake',
    readers: ['router'],
    holds: 'every request, outgoing and incoming, with its routing status',
  },
  replies: {
    owner: 'intake',
    readers: ['router', 'adapters'],
    holds: 'answers and case messages (refusals, clarifications, delay notices, …) both ways',
  },
  rulesets: { owner: 'intake', readers: ['router', 'adapters'], holds: 'routing rule sets and their status' },
  directory_versions: {
    owner: 'intake',
    readers: ['router', 'adapters'],
    holds: 'versions of the directory of partners and channels',
  },
  work_requests: { owner: 'intake', readers: [], holds: 'the work list (SPEC §7), fed by events' },
  inbox_items: { owner: 'intake', readers: [], holds: 'each unit’s inbox (SPEC §7), fed by events' },
  work_feed: { owner: 'intake', readers: [], holds: 'the status stream’s durable entries' },
  assignments: { owner: 'intake', readers: [], holds: 'who was assigned a request, and why' },
  event_tickets: { owner: 'intake', readers: [], holds: 'one-time tickets of the status stream' },
  data_protection_reviews: { owner: 'intake', readers: [], holds: 'data-protection reviews (SPEC §10)' },
  erasures: { owner: 'intake', readers: [], holds: 'erasures of personal data (SPEC §10)' },
  // SPEC §10: one data key per request. The intake creates the keys of submissions, the adapters
  // those of partners' incoming messages, each in rows of its own (and each deletes its own on
  // ixr.requests.erased); every service reads all of them to seal and open personal data.
  data_keys: {
    owner: 'intake',
    readers: ['router', 'log'],
    perServiceRows: ['intake', 'adapters'],
    readsAllRows: true,
    holds:
      'the data key of each request’s personal data, wrapped (SPEC §10), written by the service that ' +
      'sealed it first; each deletes its own on erasure (ixr.requests.erased)',
  },
  dead_letters: {
    owner: 'intake',
    readers: [],
    holds: 'events no service could handle (ixr.dead-letter), for the operators to re-drive',
  },
  // The router: decisions and what follows from them.
  // The outcome of each send is the adapters' event (ixr.deliveries.outcome); the router records it.
  deliveries: {
    owner: 'router',
    readers: ['intake', 'adapters'],
    holds:
      'one row per route of a decision, with its delivery outcome (recorded from ixr.deliveries.outcome)',
  },
  // The router alone fills a unit's inbox: an inbound request or answer it handles, and a delivery
  // over a national channel once the adapters' outcome event says it was delivered.
  unit_inbox: {
    owner: 'router',
    readers: ['intake'],
    holds:
      'requests and answers delivered to a national unit (a national-channel delivery: from its ' +
      'outcome event)',
  },
  // What the router needs of the requests it routed, kept by itself: the intake writes `requests`
  // from the router's events, perhaps after the router's next step about the same request.
  routed_requests: {
    owner: 'router',
    readers: [],
    holds: 'the requests routed (each once), their deadline, who handles them, how partner steps find them',
  },
  deadline_milestones: {
    owner: 'router',
    readers: ['intake'],
    holds: 'deadline warnings and expiries still to fire, and suspended clocks',
  },
  // The channel adapters: the partners' side.
  // The router learns circuit states from ixr.circuits.changed events, not from this table; the
  // intake reads it for the console's channel health (GET /v1/channels/health, SPEC §11).
  circuit_states: {
    owner: 'adapters',
    readers: ['intake'],
    holds: 'the state of each channel’s circuit breaker, per adapter instance',
  },
  inbound_messages: { owner: 'adapters', readers: [], holds: 'partner messages received (deduplication)' },
  // The intake reads the ledgers for the request view: a send still being retried shows its
  // attempts and last error before its outcome event arrives.
  reply_sends: {
    owner: 'adapters',
    readers: ['intake'],
    holds: 'the send ledger of messages on requests (claims, attempts, outcome)',
  },
  send_retries: { owner: 'adapters', readers: [], holds: 'sends waiting for their next attempt' },
  delivery_sends: {
    owner: 'adapters',
    readers: ['intake'],
    holds: 'the send ledger of deliveries: attempts, lease and outcome of each (exactly-once sending)',
  },
  // The exchange log: append-only, and only its writer appends.
  exchange_log: {
    owner: 'log',
    readers: ['intake'],
    appendOnly: true,
    holds: 'the hash-chained log of every exchange',
  },
  exchange_log_nodes: {
    owner: 'log',
    readers: ['intake'],
    appendOnly: true,
    holds: 'the log’s Merkle tree nodes',
  },
  exchange_log_checkpoints: {
    owner: 'log',
    readers: ['intake'],
    appendOnly: true,
    holds: 'signed checkpoints of the log',
  },
  exchange_log_keys: {
    owner: 'log',
    readers: ['intake'],
    appendOnly: true,
    holds: 'the log’s public keys',
  },
  // Infrastructure of every service: each writes and reads only its own rows.
  outbox: {
    owner: 'intake',
    readers: [],
    perServiceRows: ['intake', 'router', 'adapters', 'log'],
    holds: 'events written in a business transaction, until the relay has published them',
  },
  processed_events: {
    owner: 'intake',
    readers: [],
    perServiceRows: ['intake', 'router', 'adapters', 'log'],
    holds: 'events each consumer has handled (exactly-once)',
  },
} as const satisfies Record<string, TableGrant>;

export type TableName = keyof typeof TABLES;

/** Sequences not owned by a table column (a bigserial's follows its table). */
export const STANDALONE_SEQUENCES: Record<string, OwningService> = { work_feed_ids: 'intake' };

/**
 * Writes by a service that does not own the table, still to be replaced by events (issue 11). The
 * grants allow exactly these and the README lists them: the list only ever shrinks.
 */
export const CROSS_SERVICE_WRITES: readonly {
  table: TableName;
  writer: OwningService;
  privileges: readonly TablePrivilege[];
  why: string;
}[] = [];

/** The privileges a service's login holds on each table: exactly what the grants give it. */
export function privilegesOf(service: OwningService): Map<TableName, Set<TablePrivilege>> {
  const result = new Map<TableName, Set<TablePrivilege>>();
  const add = (table: TableName, privileges: readonly TablePrivilege[]): void => {
    const set = result.get(table) ?? new Set<TablePrivilege>();
    for (const privilege of privileges) set.add(privilege);
    result.set(table, set);
  };
  for (const [name, grant] of Object.entries(TABLES) as [TableName, TableGrant][]) {
    if (grant.perServiceRows) {
      if (grant.perServiceRows.includes(service)) add(name, ['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
      else if (grant.readers.includes(service)) add(name, ['SELECT']);
      continue;
    }
    if (grant.owner === service) {
      add(name, grant.appendOnly ? ['SELECT', 'INSERT'] : ['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
    } else if (grant.readers.includes(service)) add(name, ['SELECT']);
  }
  for (const write of CROSS_SERVICE_WRITES) {
    // UPDATE and INSERT … RETURNING read the rows they change.
    if (write.writer === service) add(write.table, ['SELECT', ...write.privileges]);
  }
  return result;
}

/** The tables each service writes (owned, per-service rows, or a listed cross-service write). */
export function writersOf(table: TableName): OwningService[] {
  return OWNING_SERVICES.filter((service) =>
    [...(privilegesOf(service).get(table) ?? [])].some((p) => p !== 'SELECT'),
  );
}

/** The README's "Table owners" table, generated from the map above (a unit test keeps them equal). */
export function tableOwnersMarkdown(): string {
  const login = (service: OwningService): string => `\`${SERVICE_LOGINS[service]}\``;
  const rows = (Object.entries(TABLES) as [TableName, TableGrant][]).map(([name, grant]) => {
    const owner = grant.perServiceRows
      ? `each service, its own rows (${grant.perServiceRows.map(login).join(', ')})`
      : `${login(grant.owner)}${grant.appendOnly ? ' (INSERT only)' : ''}`;
    const readers = grant.readsAllRows
      ? `every row: ${[...(grant.perServiceRows ?? []), ...grant.readers].map(login).join(', ')}`
      : grant.readers.length
        ? grant.readers.map(login).join(', ')
        : '—';
    const others = CROSS_SERVICE_WRITES.filter((w) => w.table === name).map(
      (w) => `${login(w.writer)} ${w.privileges.join('/')}`,
    );
    return `| \`${name}\` | ${grant.holds} | ${owner} | ${readers} | ${others.join(', ') || '—'} |`;
  });
  return [
    '| table | holds | owner (writes) | reads | other writers (to be removed) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
