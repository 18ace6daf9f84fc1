import { DeliveryEntity } from './delivery.entity';
import { ExchangeEntryEntity } from './exchange-entry.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { ProcessedEventEntity } from './processed-event.entity';
import { RequestEntity } from './request.entity';
import { UnitInboxItemEntity } from './unit-inbox-item.entity';

export {
  DeliveryEntity,
  ExchangeEntryEntity,
  OutboxMessageEntity,
  ProcessedEventEntity,
  RequestEntity,
  UnitInboxItemEntity,
};

/** The explicit entity list (STYLE §8): no globbing. */
export const ENTITIES = [
  RequestEntity,
  DeliveryEntity,
  OutboxMessageEntity,
  ProcessedEventEntity,
  UnitInboxItemEntity,
  ExchangeEntryEntity,
];
