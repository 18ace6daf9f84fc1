import { randomUUID } from 'node:crypto';

/** The time, behind one injectable class so that tests and replay can fix it. */
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** Identifier source, injectable for the same reason. */
export class IdGenerator {
  uuid(): string {
    return randomUUID();
  }
}
