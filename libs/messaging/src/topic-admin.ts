import type { Kafka } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPICS } from './topics';

/** Creates every IXR topic that does not exist yet (auto-creation is off on the broker). */
export async function ensureTopics(kafka: Kafka, partitions = DEFAULT_PARTITIONS): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
