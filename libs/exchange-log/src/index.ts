// Public API of @ixr/exchange-log: pure hashing, proofs, chain verification and checkpoints.
export { ExchangeLogError } from './exchange-log.error';
export type { ExchangeLogErrorCode } from './exchange-log.error';

export { canonicalBytes, canonicalJson } from './canonical-json.codec';

export { EMPTY_ROOT_HASH, HASH_SIZE, leafHash, nodeHash } from './merkle.hasher';
export type { NodeId } from './merkle-range.math';

export type { AsyncHashReader, HashReader } from './hash-reader.port';
export {
  consistencyProof,
  consistencyProofAsync,
  inclusionProof,
  inclusionProofAsync,
  rootAt,
  rootAtAsync,
} from './merkle-proof.builder';
export { verifyConsistency, verifyInclusion } from './merkle-proof.verifier';
export type { ProofCheck } from './merkle-proof.verifier';

export {
  appendToFrontier,
  CompactRange,
  EMPTY_FRONTIER,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
} from './compact-range.appender';
export type { AppendResult, Frontier, NodeRow } from './compact-range.appender';
export { MemoryTree } from './memory-tree.store';

export {
  decodeLogEntry,
  encodeLogEntry,
  GENESIS_PREV_LEAF_HASH,
  nextLogEntry,
  prepareLogEntry,
} from './log-entry.codec';
export type { LogEntryLinks, LogEntryRecord, StoredEntry } from './log-entry.codec';
export {
  checkpointEpoch,
  EPOCH_ENTRY_KIND,
  epochExtensions,
  epochOpeningDetails,
  parseEpochOpening,
} from './log-epoch';
export type { EpochOpening } from './log-epoch';
export { ChainVerifier, verifyChain, verifyChainSync } from './hash-chain.verifier';
export type { ChainFailure, ChainOptions, ChainReport, TreeHead } from './hash-chain.verifier';

export {
  ed25519Signer,
  ed25519Verifier,
  encodeSignerKey,
  encodeVerifierKey,
  generateSigningKey,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
  signingKeyFromSeed,
} from './signed-note.keys';
export type { NoteSigner, NoteVerifier, SigningKeyPair } from './signed-note.keys';
export { formatCheckpointText, parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.note';
export type {
  Checkpoint,
  CheckpointInput,
  NoteSignature,
  ParsedCheckpoint,
  VerifiedCheckpoint,
} from './checkpoint.note';

export { NOTE_ERRORS, parseNote, signNote, verifyNote } from './signed-note.codec';
export type { NoteErrorCodes, ParsedNote } from './signed-note.codec';
export { verifierKeyOf } from './signed-note.keys';
export { loadSignerKey } from './signing-key.source';
export type { KeyFiles, LoadedSignerKey, SignerKeySource } from './signing-key.source';
export { BUNDLE_FILES, BUNDLE_FORMAT, buildBundle, bundleFileName } from './evidence-bundle';
export { verifyBundle } from './evidence-bundle.verifier';
export type {
  BundleEntry,
  BundleInput,
  BundleManifest,
  BundleProblem,
  BundleReport,
  BundleScope,
} from './evidence-bundle';
export type { BundleTrust } from './evidence-bundle.verifier';
