import { InitialSchema1764370000000 } from './1764370000000-initial-schema';
import { RoutingConfig1764380000000 } from './1764380000000-routing-config';
import { ExchangeLogMerkle1764390000001 } from './1764390000001-exchange-log-merkle';
import { DeliveryGuarantees1764395000001 } from './1764395000001-delivery-guarantees';
import { InboundReplies1764395000002 } from './1764395000002-inbound-replies';
import { ReplyIdempotency1764396000001 } from './1764396000001-reply-idempotency';
import { PartnerEndpoints1764396000002 } from './1764396000002-partner-endpoints';
import { InboundPartners1764396000003 } from './1764396000003-inbound-partners';
import { WorkSurfaces1764520000001 } from './1764520000001-work-surfaces';
import { CaseSteps1764530000001 } from './1764530000001-case-steps';
import { DirectoryLanguages1764530000002 } from './1764530000002-directory-languages';
import { ProvisionDeadlineRule1764530000003 } from './1764530000003-provision-deadline-rule';
import { Statistics1764540000001 } from './1764540000001-statistics';
import { DataProtection1764540000002 } from './1764540000002-data-protection';
import { DataKeys1764550000001 } from './1764550000001-data-keys';
import { ExchangeLogEpochs1764550000002 } from './1764550000002-exchange-log-epochs';
import { ServiceLogins1764600000001 } from './1764600000001-service-logins';
import { IntakeOwnsRequests1764700000001 } from './1764700000001-intake-owns-requests';
import { OwnDeliveries1764700000002 } from './1764700000002-own-deliveries';
import { WakeupNotifications1764700000004 } from './1764700000004-wakeup-notifications';
import { DueTimeNotifications1764700000005 } from './1764700000005-due-time-notifications';

/** Checked-in migrations, in order (STYLE §8). */
export const MIGRATIONS = [
  InitialSchema1764370000000,
  RoutingConfig1764380000000,
  ExchangeLogMerkle1764390000001,
  DeliveryGuarantees1764395000001,
  InboundReplies1764395000002,
  ReplyIdempotency1764396000001,
  PartnerEndpoints1764396000002,
  InboundPartners1764396000003,
  WorkSurfaces1764520000001,
  CaseSteps1764530000001,
  DirectoryLanguages1764530000002,
  ProvisionDeadlineRule1764530000003,
  Statistics1764540000001,
  DataProtection1764540000002,
  DataKeys1764550000001,
  ExchangeLogEpochs1764550000002,
  ServiceLogins1764600000001,
  IntakeOwnsRequests1764700000001,
  OwnDeliveries1764700000002,
  WakeupNotifications1764700000004,
  DueTimeNotifications1764700000005,
];
