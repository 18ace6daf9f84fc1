export * from './errors';
export * from './clock';
export * from './config';
export * from './health';
export * from './logger';
export * from './metrics';
export * from './ops-http';
export * from './production-mode';
