/** Injection token of the service's pino logger (redacting: see @ixr/platform logger). */
export const APP_LOGGER = Symbol('APP_LOGGER');
