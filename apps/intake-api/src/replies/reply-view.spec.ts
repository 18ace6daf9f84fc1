import { caseStatus, isAnswered, type ReplyView, type RequestOrigin } from './reply-view';

const outbound: RequestOrigin = {
  direction: 'outbound',
  assignedUnit: null,
  originChannel: null,
  originPartner: null,
  originCountry: null,
};
const inbound: RequestOrigin = {
  ...outbound,
  direction: 'inbound',
  originChannel: 'siena',
  originPartner: 'NL',
};

function message(kind: string, direction: 'inbound' | 'outbound', extra: Partial<ReplyView> = {}): ReplyView {
  return {
    id: `${kind}-${direction}`,
    kind,
    direction,
    channel: 'siena',
    partner: 'NL',
    inReplyTo: 'x',
    unit: 'PZ-5339',
    author: 'someone',
    handlingCode: 'H1',
    language: 'en',
    text: 'text',
    status: direction === 'outbound' ? 'delivered' : 'received',
    late: false,
    attempts: 1,
    partnerReference: null,
    lastError: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    completedAt: null,
    ...extra,
  };
}

describe('the status the case steps give a request (SPEC §8)', () => {
  it('is none without case steps', () => {
    expect(caseStatus(outbound, [message('answer', 'inbound')])).toBeUndefined();
  });

  it('waits for a clarification the handling side asked, until it is answered', () => {
    const open = message('clarification', 'inbound', { closedAt: null });
    expect(caseStatus(outbound, [open])).toBe('awaiting_clarification');
    expect(caseStatus(outbound, [{ ...open, closedAt: '2026-01-02T00:00:00.000Z' }])).toBeUndefined();
    // Our own question on a foreign request: we handle it.
    expect(caseStatus(inbound, [message('clarification', 'outbound', { closedAt: null })])).toBe(
      'awaiting_clarification',
    );
    // A question from the requesting side does not pause the handler's clock.
    expect(caseStatus(inbound, [message('clarification', 'inbound', { closedAt: null })])).toBeUndefined();
  });

  it('is refused by a whole refusal of the handling side, not a partial one', () => {
    expect(
      caseStatus(outbound, [message('refusal', 'inbound', { ground: 'not_available', partial: false })]),
    ).toBe('refused');
    expect(
      caseStatus(outbound, [message('refusal', 'inbound', { ground: 'data_category', partial: true })]),
    ).toBeUndefined();
    expect(
      caseStatus(inbound, [message('refusal', 'outbound', { ground: 'inaccurate', partial: false })]),
    ).toBe('refused');
  });

  it('is withdrawn by the requesting side, whatever else happened', () => {
    expect(
      caseStatus(outbound, [
        message('refusal', 'inbound', { ground: 'not_available', partial: false }),
        message('withdrawal', 'outbound'),
      ]),
    ).toBe('withdrawn');
    expect(caseStatus(inbound, [message('withdrawal', 'inbound')])).toBe('withdrawn');
  });

  it('counts only answers as answers', () => {
    expect(isAnswered(outbound, [message('delay_notice', 'inbound')])).toBe(false);
    expect(isAnswered(outbound, [message('answer', 'inbound')])).toBe(true);
    expect(isAnswered(inbound, [message('refusal', 'outbound', { ground: 'inaccurate' })])).toBe(false);
  });
});
