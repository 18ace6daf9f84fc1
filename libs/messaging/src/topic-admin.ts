import type { Kafka } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPIC_RETENTION_MS, TOPICS } from './topics';

/**
 * Creates every IXR topic that does not exist yet (auto-creation is off on the broker), and sets
 * each topic's retention (`TOPIC_RETENTION_MS`) on new and existing topics alike.
 */
export async function ensureTopics(kafka: Kafka, partitions = DEFAULT_PARTITIONS): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: -1,
          configEntries: retentionOf(topic),
        })),
      });
    }
    await admin.alterConfigs({
      validateOnly: false,
      resources: Object.values(TOPICS).map((topic) => ({
        type: 2, // ConfigResourceTypes.TOPIC
        name: topic,
        configEntries: retentionOf(topic),
      })),
    });
    return missing;
  } finally {
    await admin.disconnect();
  }
}

function retentionOf(topic: (typeof TOPICS)[keyof typeof TOPICS]) {
  return [
    { name: 'retention.ms', value: String(TOPIC_RETENTION_MS[topic]) },
    { name: 'cleanup.policy', value: 'delete' },
  ];
}
