import { caseMessageQueuedSchema, partnerMessageSchema, replyDispatchedSchema } from './schemas';

const step = { messageId: 'm-1', inReplyTo: '4f0c7f5e-0d4c-4c61-9a55-2f1f0e5d8d11', language: 'en' };

describe('case messages (SPEC §8)', () => {
  it('accepts each partner case step and names what is wrong with a bad one', () => {
    for (const message of [
      { kind: 'refusal', ...step, ground: 'not_available', reason: 'No record' },
      { kind: 'refusal', ...step, ground: 'data_category', partial: true, reason: 'In part' },
      { kind: 'clarification', ...step, question: 'Which one?' },
      { kind: 'clarification_answer', ...step, answer: 'This one' },
      { kind: 'delay_notice', ...step, reason: 'Judge', expectedBy: '2030-01-01T00:00:00Z' },
      { kind: 'withdrawal', ...step, reason: 'No longer needed' },
    ]) {
      expect(partnerMessageSchema.safeParse(message).success).toBe(true);
    }
    const bad = partnerMessageSchema.safeParse({ kind: 'refusal', ...step, ground: 'too_busy', reason: 'x' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['ground']);
    const unknown = partnerMessageSchema.safeParse({ kind: 'gossip', ...step });
    expect(unknown.error?.issues[0].message).toContain('"withdrawal"');
    const noDate = partnerMessageSchema.safeParse({ kind: 'delay_notice', ...step, reason: 'Judge' });
    expect(noDate.error?.issues.map((i) => i.path.join('.'))).toEqual(['expectedBy']);
  });

  it('reads a reply queued before the case steps as an answer, released with its log sequence number', () => {
    const queued = caseMessageQueuedSchema.parse({
      replyId: 'r-1',
      requestId: 'q-1',
      channel: 'siena',
      destination: 'NL',
      inReplyTo: 'm-1',
      handlingCode: 'H1',
      language: 'en',
      text: 'Answer',
      author: { person: 'p', unit: 'FGP-ANTWERPEN', role: 'requester' },
      at: '2026-01-01T00:00:00Z',
    });
    expect(queued.kind).toBe('answer');
    expect(replyDispatchedSchema.parse({ ...queued, logSeq: 41 }).logSeq).toBe(41);
    expect(replyDispatchedSchema.safeParse({ ...queued, logSeq: -1 }).success).toBe(false);
  });
});
