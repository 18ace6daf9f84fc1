/** Life cycle of a request as the API shows it. */
export const REQUEST_STATUSES = [
  'received',
  'routed',
  'dispatched',
  'delivered',
  'failed',
  'answered',
  // SPEC §10: its personal data was erased by the data-protection officer; the facts remain.
  'erased',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
