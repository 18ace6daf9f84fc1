export * from './data-source';
export * from './entities';
export * from './migrations';
export * from './outbox.store';
export * from './processed-events';
export * from './routing-config.store';
export * from './service-role';
export * from './table-owners';
