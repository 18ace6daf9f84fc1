import { Kafka, logLevel } from 'kafkajs';

/** Deletes every ixr.* topic and ixr-* consumer group: a clean broker for (and after) a test run. */
export async function resetTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'ixr-e2e-setup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('ixr.'));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30000 });
    // Deletion is asynchronous on the broker: wait until the names are gone.
    const deadline = Date.now() + 30000;
    while ((await admin.listTopics()).some((t) => topics.includes(t))) {
      if (Date.now() > deadline) throw new Error('Kafka did not delete the old ixr.* topics within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith('ixr-'));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
