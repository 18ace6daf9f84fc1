export * from './channel';
export * from './country';
export * from './decision';
export * from './offence';
export * from './request';
export * from './request.schema';
export * from './iso-codes';
export * from './status';
