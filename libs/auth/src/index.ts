export * from './claims';
export * from './dev-token';
export * from './token-verifier';
