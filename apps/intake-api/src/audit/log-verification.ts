import { performance } from 'node:perf_hooks';
import { ChainVerifier, type TreeHead, verifyCheckpoint } from '@ixr/exchange-log';
import type { LogReader } from './log.reader';
import type { LogTrust } from './log-trust';

export interface CheckpointProblem {
  readonly size: number | null;
  readonly reason: string;
}

export interface LogVerification {
  readonly ok: boolean;
  /** Entries read. */
  readonly entries: number;
  /** Entries proven intact, from seq 0. */
  readonly checked: number;
  readonly rootHash?: string;
  /** Where an investigation starts: everything before it is intact. */
  readonly firstBadSeq?: number;
  readonly failure?: string;
  readonly reason?: string;
  readonly badRange?: { readonly from: number; readonly to: number };
  readonly checkpoints: {
    readonly verified: number;
    readonly latest?: { readonly size: number; readonly rootHash: string; readonly signedAt?: string };
    /** Forged or altered: a trusted key's signature that fails, a malformed note, columns that disagree. */
    readonly problems: readonly CheckpointProblem[];
    /**
     * Signed by no trusted key, or for another origin (say, before a key rotation the auditor was
     * not told of): proof of nothing either way, so not used, and listed for the auditor to judge.
     */
    readonly ignored: readonly CheckpointProblem[];
  };
  /** Entries after the latest signed checkpoint: a cut among them would not be detectable yet. */
  readonly unsignedTail: number;
  readonly trust: { readonly source: string; readonly keys: readonly string[] };
  readonly durationMs: number;
}

export interface VerifyOptions {
  /** Checkpoints the auditor kept (e.g. from an earlier bundle): a cut of the stored ones shows too. */
  readonly extraCheckpoints?: readonly string[];
  readonly onProgress?: (checked: number, total: number) => void;
  readonly pageSize?: number;
}

/**
 * Verifies the whole log: every stored checkpoint's signature, then every entry in seq order —
 * chain links, leaf hashes, and the tree root at each checkpoint's size. Names the first bad seq,
 * or the tail cut against the last signed checkpoint.
 */
export async function verifyLog(
  reader: LogReader,
  trust: LogTrust,
  options: VerifyOptions = {},
): Promise<LogVerification> {
  const started = performance.now();
  const problems: CheckpointProblem[] = [];
  const ignored: CheckpointProblem[] = [];
  const heads: (TreeHead & { signedAt?: Date })[] = [];
  const accept = (note: string, stored?: { size: number; rootHash: Buffer; signedAt: Date }): void => {
    try {
      const checkpoint = verifyCheckpoint(note, trust.verifiers, { origin: trust.origin });
      if (stored && (checkpoint.size !== stored.size || !checkpoint.rootHash.equals(stored.rootHash))) {
        problems.push({
          size: stored.size,
          reason: 'the stored size or root differs from what the note signs',
        });
      }
      heads.push({ size: checkpoint.size, rootHash: checkpoint.rootHash, signedAt: stored?.signedAt });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const notOurs =
        code === 'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED' || code === 'EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN';
      (notOurs ? ignored : problems).push({ size: stored?.size ?? null, reason: (error as Error).message });
    }
  };
  for (const row of await reader.checkpoints()) accept(row.note, row);
  for (const note of options.extraCheckpoints ?? []) accept(note);

  const total = await reader.size();
  const verifier = new ChainVerifier({ checkpoints: heads });
  let entries = 0;
  outer: for await (const page of reader.pages(options.pageSize)) {
    for (const row of page) {
      entries++;
      if (!verifier.push(row)) break outer;
    }
    options.onProgress?.(entries, total);
  }
  const chain = verifier.finish();
  const latest = heads.reduce<(typeof heads)[number] | undefined>(
    (a, h) => (a && a.size >= h.size ? a : h),
    undefined,
  );
  return {
    ok: chain.ok && problems.length === 0,
    entries,
    checked: chain.checked,
    rootHash: chain.rootHash?.toString('hex'),
    firstBadSeq: chain.firstBadSeq,
    failure: chain.failure ?? (problems.length ? 'CHECKPOINT_SIGNATURE' : undefined),
    reason: chain.reason ?? (problems.length ? `${problems.length} checkpoint(s) do not verify` : undefined),
    badRange: chain.badRange,
    checkpoints: {
      verified: heads.length,
      latest: latest && {
        size: latest.size,
        rootHash: Buffer.from(latest.rootHash).toString('hex'),
        signedAt: latest.signedAt?.toISOString(),
      },
      problems,
      ignored,
    },
    unsignedTail: Math.max(0, entries - (latest?.size ?? 0)),
    trust: { source: trust.source, keys: trust.keys },
    durationMs: Math.round(performance.now() - started),
  };
}
