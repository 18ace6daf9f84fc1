import { sampleRequestBody } from '@ixr/domain';
import { encodeLogEntry, GENESIS_PREV_LEAF_HASH, leafHash } from '@ixr/exchange-log';
import { defaultDirectory, defaultRuleset, routeInbound, rulesetHash } from '@ixr/routing';
import { diff, replayDecisions } from './decision-replay';
import type { LogReader } from './log.reader';

describe('replay diff', () => {
  it('finds nothing between equal decisions, whatever the key order', () => {
    expect(diff({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 })).toEqual([]);
  });

  it('names each differing path with both values', () => {
    const recorded = { routes: [{ channel: 'siena', destination: 'NL' }], europolCopy: { copy: true } };
    const replayed = {
      routes: [{ channel: 'interpol', destination: 'NL' }, { channel: 'national_spoc' }],
      europolCopy: {},
    };
    expect(diff(recorded, replayed)).toEqual([
      { path: '$.europolCopy.copy', recorded: true, replayed: undefined },
      { path: '$.routes[0].channel', recorded: 'siena', replayed: 'interpol' },
      { path: '$.routes[1]', recorded: undefined, replayed: { channel: 'national_spoc' } },
    ]);
  });

  it('treats an array and an object as different, and caps the list', () => {
    expect(diff({ a: [] }, { a: {} })).toEqual([{ path: '$.a', recorded: [], replayed: {} }]);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(diff(many, {})).toHaveLength(20);
  });
});

describe('replayDecisions', () => {
  const directory = defaultDirectory();
  const ruleset = defaultRuleset();
  const requestId = '0a4d5c1e-1f2b-4c3d-8e9f-0123456789ab';
  const receivedAt = '2026-03-14T22:30:00.000Z';
  const decidedAt = '2026-03-14T22:30:05.000Z';
  const sample = sampleRequestBody({ offence: { category: 'cybercrime', description: 'Ransomware' } });
  const partnerRequest = {
    kind: 'request',
    messageId: 'NL-2026-0042',
    missionType: sample.missionType,
    offence: sample.offence,
    urgency: sample.urgency,
    accessibility: sample.accessibility,
    handlingCode: sample.handlingCode,
    language: sample.language,
    informationSought: sample.informationSought,
    purpose: sample.purpose,
    subjects: sample.subjects,
  };
  const routed = routeInbound(
    {
      requestId,
      originCountry: 'NL',
      partner: 'NL',
      channel: 'siena',
      receivedAt,
      offenceCategory: 'cybercrime',
      urgency: sample.urgency,
      accessibility: sample.accessibility,
      handlingCode: sample.handlingCode,
      kind: 'request',
    },
    directory,
    ruleset,
    decidedAt,
  );
  if (routed.kind !== 'request') throw new Error('expected an inbound request decision');

  /** The router's two entries of an inbound request (handle-inbound.usecase), as stored. */
  function inboundEntries(routedDetails: Record<string, unknown>): { received: string; routed: string } {
    const common = {
      requestId,
      actor: { person: 'partner:NL', unit: 'NL', role: 'partner' },
      recipients: [],
    };
    const received = encodeLogEntry(0, GENESIS_PREV_LEAF_HASH, {
      ...common,
      kind: 'received',
      time: receivedAt,
      channel: 'siena',
      rulesetVersion: null,
      justification: 'request of siena/NL',
      details: {
        direction: 'inbound',
        partner: 'NL',
        originCountry: 'NL',
        partnerMessageId: 'NL-2026-0042',
        request: partnerRequest,
      },
    });
    const routedEntry = encodeLogEntry(1, leafHash(received), {
      ...common,
      kind: 'routed',
      time: decidedAt,
      channel: null,
      rulesetVersion: ruleset.version,
      justification: 'inbound routing',
      details: routedDetails,
    });
    return { received: received.toString('utf8'), routed: routedEntry.toString('utf8') };
  }

  function readerOf(entries: { received: string; routed: string }): LogReader {
    const row = { seq: '1', ...entries };
    return {
      routedWithInput: async (from: number) => (from === 0 ? [row] : []),
      rulesets: async (versions: readonly string[]) =>
        versions.includes(ruleset.version)
          ? [{ version: ruleset.version, hash: rulesetHash(ruleset), document: ruleset }]
          : [],
      directories: async (versions: readonly string[]) =>
        versions.includes('dir-7') ? [{ version: 'dir-7', hash: 'h', document: directory }] : [],
    } as unknown as LogReader;
  }

  const recorded = {
    direction: 'inbound',
    decision: routed.decision,
    rulesetHash: rulesetHash(ruleset),
    directoryVersion: 'dir-7',
    replyVia: routed.replyVia,
  };
  const options = { spocUnit: directory.spocUnit };

  it('re-runs an inbound decision with its recorded rule set and directory version: a match', async () => {
    const report = await replayDecisions(readerOf(inboundEntries(recorded)), options);
    expect(report).toEqual({ replayed: 1, matched: 1, differing: [], unreplayable: [] });
  });

  it('reports an inbound decision the recorded facts no longer reproduce, field by field', async () => {
    const tampered = {
      ...recorded,
      decision: {
        ...routed.decision,
        routes: routed.decision.routes.map((r, i) => (i === 0 ? { ...r, destination: 'FGP-ELSEWHERE' } : r)),
      },
    };
    const report = await replayDecisions(readerOf(inboundEntries(tampered)), options);
    expect(report.replayed).toBe(1);
    expect(report.matched).toBe(0);
    expect(report.differing).toEqual([
      {
        seq: 1,
        requestId,
        rulesetVersion: ruleset.version,
        differences: [
          {
            path: '$.decision.routes[0].destination',
            recorded: 'FGP-ELSEWHERE',
            replayed: routed.decision.routes[0].destination,
          },
        ],
      },
    ]);
  });

  it('counts an inbound decision that names no directory version as unreplayable, saying why', async () => {
    const { directoryVersion: _omitted, ...withoutDirectory } = recorded;
    const report = await replayDecisions(readerOf(inboundEntries(withoutDirectory)), options);
    expect(report.replayed).toBe(1);
    expect(report.unreplayable).toEqual([
      { seq: 1, requestId, reason: expect.stringContaining('no directory version') },
    ]);
  });
});
