import { resetTopics } from './kafka-reset';
import { testEnvironment } from './test-env';

/**
 * The broker and the database stay up for the next run, but the test events leave the topics:
 * a development stack on the same broker must not receive events of the test database.
 */
export default async function globalTeardown(): Promise<void> {
  await resetTopics(testEnvironment().brokers.split(','));
}
