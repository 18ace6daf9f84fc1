export * from './claims';
export * from './dev-token';
export * from './key-source';
export * from './token-verifier';
