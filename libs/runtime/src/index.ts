export * from './http-service';
export * from './infrastructure';
export * from './service-config';
