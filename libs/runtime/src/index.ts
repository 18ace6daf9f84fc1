export * from './http-service';
export * from './infrastructure';
export * from './infrastructure.module';
export * from './service-config';
export * from './service-parts';
