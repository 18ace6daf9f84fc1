import { messageBodySchema, type RoutingDecision } from '@ixr/domain';
import { canonicalJson, decodeLogEntry } from '@ixr/exchange-log';
import { partnerProvisionSchema, partnerRequestSchema, TOPICS, withStandIns } from '@ixr/messaging';
import {
  channelHealthSchema,
  type Directory,
  evaluate,
  inboundMessageSchema,
  parseDirectory,
  parseRuleset,
  routeInbound,
  type Ruleset,
  rulesetHash,
} from '@ixr/routing';
import { z } from 'zod';
import type { LogReader } from './log.reader';

export interface ReplayDifference {
  readonly path: string;
  readonly recorded: unknown;
  readonly replayed: unknown;
}

export interface ReplayReport {
  readonly replayed: number;
  readonly matched: number;
  /** Decisions the recorded rule set, directory and input no longer reproduce. */
  readonly differing: readonly {
    readonly seq: number;
    readonly requestId: string;
    readonly rulesetVersion: string;
    readonly differences: readonly ReplayDifference[];
  }[];
  /** Decisions that could not be re-run (a missing rule set, directory or input), with why. */
  readonly unreplayable: readonly {
    readonly seq: number;
    readonly requestId: string;
    readonly reason: string;
  }[];
}

export interface ReplayOptions {
  readonly requestId?: string;
  /** The SPOC unit the router was configured with (SPOC_UNIT); it overrides the directory's. */
  readonly spocUnit: string;
  readonly onProgress?: (replayed: number) => void;
}

const PAGE = 500;
const MAX_DIFFERENCES = 20;

interface RoutedDetails {
  decision: RoutingDecision;
  rulesetHash: string;
  directoryVersion: string;
  channelHealth: unknown;
  requestingUnit: string;
}

/** The router's record of an inbound routing decision (SPEC §4.4). */
interface InboundRoutedDetails {
  direction: 'inbound';
  decision: RoutingDecision;
  rulesetHash: string;
  /** Absent from decisions recorded before replay covered inbound ones: those are unreplayable. */
  directoryVersion?: string;
  replyVia: unknown;
}

/** The partner's message as the router's `received` entry keeps it (sealed fields stood in for). */
const recordedPartnerMessage = z.union([partnerRequestSchema, partnerProvisionSchema]);

type Loaded = { rulesets: Cache<{ ruleset: Ruleset; hash: string }>; directories: Cache<Directory> };
type Entry = ReturnType<typeof decodeLogEntry>;

/**
 * Re-runs every recorded routing decision with what it was decided on — the rule-set version
 * and directory version it names, the received input (the unit's body and requesting unit with
 * the channel health, or the partner's message with its channel and sender) and the decision
 * time — and reports each one that comes out different, field by field. Outbound decisions are
 * re-run by `evaluate`, inbound ones (a partner's request or provision) by `routeInbound`.
 */
export async function replayDecisions(reader: LogReader, options: ReplayOptions): Promise<ReplayReport> {
  const rulesets = new Cache((v) => loadRuleset(reader, v));
  const directories = new Cache((v) => loadDirectory(reader, v));
  const differing: ReplayReport['differing'][number][] = [];
  const unreplayable: ReplayReport['unreplayable'][number][] = [];
  let replayed = 0;
  let matched = 0;
  for (let from = 0; ;) {
    const page = await reader.routedWithInput(from, PAGE, options.requestId);
    for (const row of page) {
      const seq = Number(row.seq);
      const routed = decodeLogEntry(Buffer.from(row.routed, 'utf8'));
      const requestId = String(routed.requestId);
      replayed++;
      try {
        if (row.received === null) throw new Error('no received entry precedes the decision');
        const received = decodeLogEntry(Buffer.from(row.received, 'utf8'));
        const inbound = (routed.details as { direction?: unknown } | undefined)?.direction === 'inbound';
        const { rulesetVersion, differences } = inbound
          ? await replayInbound(requestId, routed, received, { rulesets, directories }, options)
          : await replayOutbound(requestId, routed, received, { rulesets, directories }, options);
        if (differences.length === 0) matched++;
        else differing.push({ seq, requestId, rulesetVersion, differences });
      } catch (error) {
        unreplayable.push({ seq, requestId, reason: (error as Error).message });
      }
    }
    options.onProgress?.(replayed);
    if (page.length < PAGE) break;
    from = Number(page[page.length - 1].seq) + 1;
  }
  return { replayed, matched, differing, unreplayable };
}

interface Replayed {
  rulesetVersion: string;
  differences: ReplayDifference[];
}

/** The rule set a decision names, checked against the hash the decision recorded. */
async function recordedRuleset(
  loaded: Loaded,
  version: string,
  recordedHash: string,
): Promise<{ ruleset: Ruleset; hash: string }> {
  const ruleset = await loaded.rulesets.get(version);
  if (ruleset.hash !== recordedHash) {
    throw new Error(
      `rule set ${ruleset.ruleset.version} now hashes to ${ruleset.hash}, the decision recorded ${recordedHash}`,
    );
  }
  return ruleset;
}

/** A unit's request: `evaluate` on the received body, the requesting unit and the channel health. */
async function replayOutbound(
  requestId: string,
  routed: Entry,
  received: Entry,
  loaded: Loaded,
  options: ReplayOptions,
): Promise<Replayed> {
  const details = routed.details as RoutedDetails;
  // Personal data is sealed in the entry (SPEC §10) and no routing fact reads it: replay
  // decides on the facts, with stand-ins where the sealed values are (erased or not).
  const { checkable } = withStandIns(TOPICS.requestReceived, {
    requestId,
    body: (received.details as { body: unknown }).body,
  });
  const body = messageBodySchema.parse((checkable as { body: unknown }).body);
  const health = channelHealthSchema.parse(details.channelHealth);
  const ruleset = await recordedRuleset(loaded, details.decision.rulesetVersion, details.rulesetHash);
  const directory = await loaded.directories.get(details.directoryVersion);
  const replay = evaluate(
    {
      requestId,
      direction: 'outbound',
      requestingUnit: details.requestingUnit,
      receivedAt: String(received.time),
      body,
    },
    ruleset.ruleset,
    { ...directory, spocUnit: options.spocUnit },
    health,
    details.decision.decidedAt,
  );
  return {
    rulesetVersion: ruleset.ruleset.version,
    differences: diff(details.decision, JSON.parse(JSON.stringify(replay)) as unknown),
  };
}

/**
 * A partner's request or provision: `routeInbound` on the message the router's `received` entry
 * kept, the channel it came on and its sender, under the rule set and directory version the
 * `routed` entry names, at its decision time. The decision and the way back (`replyVia`) are compared.
 */
async function replayInbound(
  requestId: string,
  routed: Entry,
  received: Entry,
  loaded: Loaded,
  options: ReplayOptions,
): Promise<Replayed> {
  const details = routed.details as InboundRoutedDetails;
  if (typeof details.directoryVersion !== 'string') {
    throw new Error('the inbound decision records no directory version (recorded before inbound replay)');
  }
  const facts = received.details as {
    direction?: unknown;
    partner?: unknown;
    originCountry?: unknown;
    request?: unknown;
  };
  if (facts.direction !== 'inbound') throw new Error('the received entry before it is not an inbound one');
  const { checkable } = withStandIns(TOPICS.auditRecorded, {
    requestId,
    kind: 'received',
    details: { request: facts.request },
  });
  const message = recordedPartnerMessage.parse(
    (checkable as { details: { request: unknown } }).details.request,
  );
  const input = inboundMessageSchema.parse({
    requestId,
    originCountry: typeof facts.originCountry === 'string' ? facts.originCountry : undefined,
    partner: facts.partner,
    channel: received.channel,
    receivedAt: String(received.time),
    offenceCategory: message.offence.category,
    region: message.region,
    urgency: message.urgency,
    accessibility: message.accessibility,
    handlingCode: message.handlingCode,
  });
  if ('inReplyTo' in input) throw new Error('the received entry holds an answer, not a request');
  const ruleset = await recordedRuleset(loaded, details.decision.rulesetVersion, details.rulesetHash);
  const directory = await loaded.directories.get(details.directoryVersion);
  const replay = routeInbound(
    { ...input, kind: message.kind },
    { ...directory, spocUnit: options.spocUnit },
    ruleset.ruleset,
    details.decision.decidedAt,
  );
  if (replay.kind !== 'request') throw new Error('the message now routes as an answer');
  return {
    rulesetVersion: ruleset.ruleset.version,
    differences: diff(
      { decision: details.decision, replyVia: details.replyVia },
      JSON.parse(JSON.stringify({ decision: replay.decision, replyVia: replay.replyVia })) as unknown,
    ),
  };
}

class Cache<T> {
  private readonly values = new Map<string, Promise<T>>();
  constructor(private readonly load: (key: string) => Promise<T>) {}
  get(key: string): Promise<T> {
    let value = this.values.get(key);
    if (!value) this.values.set(key, (value = this.load(key)));
    return value;
  }
}

async function loadRuleset(reader: LogReader, version: string): Promise<{ ruleset: Ruleset; hash: string }> {
  const [row] = await reader.rulesets([version]);
  if (!row) throw new Error(`rule set ${version} is not in the rulesets table`);
  const parsed = parseRuleset(row.document);
  if (!parsed.ok) throw new Error(`rule set ${version} no longer parses`);
  const hash = rulesetHash(parsed.value);
  if (hash !== row.hash) throw new Error(`rule set ${version} does not match its stored hash`);
  return { ruleset: parsed.value, hash };
}

async function loadDirectory(reader: LogReader, version: string): Promise<Directory> {
  const [row] = await reader.directories([version]);
  if (!row) throw new Error(`directory version ${version} is not in the directory_versions table`);
  const parsed = parseDirectory(row.document);
  if (!parsed.ok) throw new Error(`directory version ${version} no longer parses`);
  return parsed.value;
}

/** Paths where two JSON values differ (canonical comparison, so key order never counts). */
export function diff(
  recorded: unknown,
  replayed: unknown,
  path = '$',
  out: ReplayDifference[] = [],
): ReplayDifference[] {
  if (out.length >= MAX_DIFFERENCES) return out;
  const bothObjects =
    typeof recorded === 'object' && recorded !== null && typeof replayed === 'object' && replayed !== null;
  if (!bothObjects || Array.isArray(recorded) !== Array.isArray(replayed)) {
    if (canonicalJson(recorded ?? null) !== canonicalJson(replayed ?? null))
      out.push({ path, recorded, replayed });
    return out;
  }
  const a = recorded as Record<string, unknown>;
  const b = replayed as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys)
    diff(a[key], b[key], Array.isArray(recorded) ? `${path}[${key}]` : `${path}.${key}`, out);
  return out;
}
