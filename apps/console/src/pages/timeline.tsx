import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api';
import {
  checkEntry,
  parseCheckpointNote,
  parseVerifierKey,
  verifyNoteSignature,
  type CheckpointNote,
  type ProofMark,
  type ProvenEntry,
} from '../proof';
import { ErrorNotice, Loading, messageOf } from '../ui';

interface Entry extends ProvenEntry {
  epoch?: number;
  kind?: string;
  at?: string;
  recordedAt?: string;
  time?: string;
  actor?: { person?: string; unit?: string; role?: string };
  channel?: string;
  justification?: string;
}

interface SignedCheckpoint {
  epoch?: number;
  size: number;
  rootHash: string;
  note: string;
}

interface Timeline {
  requestId: string;
  /** The latest epoch's checkpoint. */
  checkpoint: SignedCheckpoint | null;
  /** One per log epoch the entries are in (an epoch opens when a lost store was recovered). */
  checkpoints?: SignedCheckpoint[];
  entries: Entry[];
  nextAfter: number | null;
}

type SignatureCheck = { state: 'verified' | 'failed' | 'unchecked'; message: string };

const KEY_STORAGE = 'ixr.console.logVerifierKey';

/**
 * The exchange log's entries of one request (auditors: `X-Justification`, the read is logged),
 * each proof checked here, in this browser, with WebCrypto: the entry's own bytes are hashed, the
 * inclusion proof walked up to the checkpoint's root, and the checkpoint's Ed25519 signature
 * checked against the log's public key the auditor holds (pasted once, kept in this browser).
 */
export function TimelinePanel({ requestId }: { requestId: string }) {
  const [justification, setJustification] = useState(`Audit of request ${requestId}`);
  const [keyText, setKeyText] = useState(() => localStorage.getItem(KEY_STORAGE) ?? '');
  const [timeline, setTimeline] = useState<Timeline>();
  const [marks, setMarks] = useState<Record<string, ProofMark>>({});
  const [signature, setSignature] = useState<SignatureCheck>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  const read = async () => {
    setLoading(true);
    setError(undefined);
    try {
      const entries: Entry[] = [];
      let page: Timeline | undefined;
      let after: number | undefined;
      do {
        page = await get<Timeline>(`/v1/audit/requests/${requestId}/timeline${query({ after })}`, {
          justification,
        });
        entries.push(...page.entries);
        after = page.nextAfter ?? undefined;
      } while (page.nextAfter !== null);
      const whole = { ...page, entries };
      setTimeline(whole);
      await check(whole);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  const check = async (t: Timeline) => {
    // Each entry is proven in its epoch's tree, against that epoch's checkpoint.
    const signed = t.checkpoints ?? (t.checkpoint ? [{ ...t.checkpoint, epoch: 0 }] : []);
    const notes = new Map<number, CheckpointNote>();
    for (const c of signed) {
      try {
        notes.set(c.epoch ?? 0, parseCheckpointNote(c.note));
      } catch (failure) {
        setSignature({ state: 'failed', message: `A checkpoint cannot be read: ${messageOf(failure)}` });
        return;
      }
    }
    const next: Record<string, ProofMark> = {};
    for (const entry of t.entries) {
      next[markKey(entry)] = await checkEntry(
        entry,
        notes.get(entry.inclusion?.epoch ?? entry.epoch ?? 0) ?? null,
      );
    }
    setMarks(next);
    if (notes.size === 0) {
      setSignature({ state: 'unchecked', message: 'No signed checkpoint covers these entries yet.' });
      return;
    }
    if (!keyText.trim()) {
      setSignature({
        state: 'unchecked',
        message:
          "Signature not checked here: paste the log's public key (verifier key) to check it in this browser.",
      });
      return;
    }
    try {
      const key = await parseVerifierKey(keyText);
      localStorage.setItem(KEY_STORAGE, keyText.trim());
      const results = await Promise.all([...notes.values()].map((note) => verifyNoteSignature(note, key)));
      setSignature(
        results.every(Boolean)
          ? { state: 'verified', message: `Checkpoint signature verified in this browser (key ${key.name}).` }
          : { state: 'failed', message: `A checkpoint is not signed by key ${key.name}.` },
      );
    } catch (failure) {
      setSignature({ state: 'failed', message: `The verifier key is not usable: ${messageOf(failure)}` });
    }
  };

  useEffect(() => {
    void read();
    // Read once when the tab opens; "Read the log" reads again with the fields as they are.
  }, [requestId]);

  const counts = Object.values(marks).reduce<Record<ProofMark, number>>((c, m) => ({ ...c, [m]: c[m] + 1 }), {
    verified: 0,
    failed: 0,
    pending: 0,
  });
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void read();
        }}
      >
        <div class="field">
          <label for="timeline-justification">Justification for reading the log</label>
          <input
            id="timeline-justification"
            value={justification}
            onInput={(e) => setJustification(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="timeline-key">Log verifier key</label>
          <input
            id="timeline-key"
            value={keyText}
            spellcheck={false}
            aria-describedby="timeline-key-hint"
            onInput={(e) => setKeyText(e.currentTarget.value)}
          />
          <p class="hint" id="timeline-key-hint">
            The log's public key, as its operator publishes it (name+id+key). Kept in this browser only.
          </p>
        </div>
        <button type="submit">Read the log</button>
      </form>
      <ErrorNotice error={error} />
      {loading && <Loading what="the log" />}
      {timeline && (
        <>
          <p role="status" class={`proof-summary ${counts.failed > 0 ? 'bad' : ''}`}>
            {counts.verified} of {timeline.entries.length} entries proven in this browser
            {counts.failed > 0 ? `, ${counts.failed} FAILED` : ''}
            {counts.pending > 0 ? `, ${counts.pending} after the latest checkpoint` : ''}.
          </p>
          {signature && (
            <p class={`signature signature-${signature.state}`} data-signature={signature.state}>
              {signature.message}
            </p>
          )}
          {timeline.checkpoint && (
            <p class="hint">
              Checkpoint: tree size {timeline.checkpoint.size}, root{' '}
              {timeline.checkpoint.rootHash.slice(0, 16)}…
            </p>
          )}
          <ol class="timeline log">
            {timeline.entries.map((entry) => (
              <li key={markKey(entry)} data-proof={marks[markKey(entry)] ?? 'checking'}>
                <ProofBadge mark={marks[markKey(entry)]} />
                <span class="seq">
                  #{entry.epoch ? `${entry.epoch}.` : ''}
                  {entry.seq}
                </span>{' '}
                <strong>{entry.kind ?? 'entry'}</strong>{' '}
                <span>{entry.time ?? entry.recordedAt ?? entry.at ?? ''}</span>
                {entry.actor && (
                  <span>
                    {' '}
                    · {entry.actor.person ?? '—'} ({entry.actor.unit ?? '—'}, {entry.actor.role ?? '—'})
                  </span>
                )}
                {entry.channel && <span> · {entry.channel}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** An entry's place: its epoch and its seq in that epoch. */
function markKey(entry: Entry): string {
  return `${entry.epoch ?? 0}:${entry.seq}`;
}

function ProofBadge({ mark }: { mark: ProofMark | undefined }) {
  switch (mark) {
    case 'verified':
      return (
        <span
          class="proof proof-ok"
          role="img"
          aria-label="Proof verified in this browser"
          title="Proof verified in this browser"
        >
          ✓ proof verified
        </span>
      );
    case 'failed':
      return (
        <span class="proof proof-bad" role="img" aria-label="Proof failed" title="Proof failed">
          ✗ proof failed
        </span>
      );
    case 'pending':
      return (
        <span
          class="proof proof-pending"
          role="img"
          aria-label="Not yet in a signed checkpoint"
          title="Not yet in a signed checkpoint"
        >
          … not yet in a checkpoint
        </span>
      );
    case undefined:
      return <span class="proof">checking…</span>;
  }
}
