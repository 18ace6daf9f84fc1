import type { FactoryProvider } from '@nestjs/common';
import type { EventEnvelope, KafkaTransport } from '@ixr/messaging';
import {
  BACKGROUND_WORK,
  createKafkaTransport,
  HEALTH_INDICATORS,
  INFRASTRUCTURE,
  readinessIndicator,
  type BackgroundWork,
  type Infrastructure,
} from '@ixr/runtime';
import { DeadLetterRecorder } from '../dead-letters/dead-letter.recorder';
import { EVENT_STREAM_HUB, type EventStreamHub } from './event-stream.hub';
import { WorkProjector } from './work-projector';

/** The intake's Kafka consumers: the work surfaces' projector and the dead-letter recorder. */
export const WORK_CONSUMERS = Symbol('WORK_CONSUMERS');

/**
 * The work surfaces (SPEC §7) follow the pipeline's events. The handlers are attached to a
 * transport of their own rather than as @EventPattern methods: the API's global guard,
 * interceptor and error filter are HTTP's and must not see Kafka events.
 */
export function workConsumerProviders(options: { spocUnit: string; concurrency: number }): FactoryProvider[] {
  return [
    {
      provide: WORK_CONSUMERS,
      useFactory: (infra: Infrastructure): KafkaTransport => {
        const transport = createKafkaTransport(infra, {
          groupId: 'ixr-intake',
          source: 'ixr/intake-api',
          partitionsConsumedConcurrently: options.concurrency,
          personalData: { mode: 'sealed' },
        });
        const projector = new WorkProjector(infra.dataSource, infra.logger, { spocUnit: options.spocUnit });
        const deadLetters = new DeadLetterRecorder(infra.dataSource);
        for (const [topic, handle, extras] of [...projector.handlers(), ...deadLetters.handlers()]) {
          transport.addHandler(topic, (event: EventEnvelope) => handle(event), true, extras);
        }
        return transport;
      },
      inject: [INFRASTRUCTURE],
    },
    {
      provide: HEALTH_INDICATORS,
      useFactory: (transport: KafkaTransport) => [
        readinessIndicator(
          'consumers',
          () => transport.isReady(),
          'Kafka consumers have not joined their groups',
        ),
      ],
      inject: [WORK_CONSUMERS],
    },
    {
      // The status streams listen first (they answer HTTP), then the consumers join their groups.
      provide: BACKGROUND_WORK,
      useFactory: (
        events: EventStreamHub,
        transport: KafkaTransport,
        infra: Infrastructure,
      ): BackgroundWork[] => [
        events,
        {
          start: () =>
            transport.listen((error) => {
              if (error) infra.logger.error({ err: error }, 'the work-surface consumers could not start');
            }),
          stop: () => transport.close(),
        },
      ],
      inject: [EVENT_STREAM_HUB, WORK_CONSUMERS, INFRASTRUCTURE],
    },
  ];
}
