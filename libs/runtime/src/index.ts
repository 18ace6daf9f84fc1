export * from './http-service';
export * from './infrastructure';
