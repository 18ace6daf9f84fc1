// Write side: the single sequencer and what it stores.
export * from './checkpoint.scheduler';
export * from './checkpoint.signer';
export * from './log-entry';
export * from './log-integrity';
export * from './log-writer';
export * from './signing-key.files';
export * from './tree.store';
// Read side: the audit tools (HTTP API, CLI, benchmark) read through these.
export * from './audit-recorder';
export * from './audit.config';
export * from './decision-replay';
export * from './evidence-export';
export * from './log-trust';
export * from './log-verification';
export * from './log.reader';
export * from './request-timeline';
