/** Life cycle of a request as the API shows it. */
export const REQUEST_STATUSES = [
  'received',
  'routed',
  'dispatched',
  'delivered',
  'failed',
  'answered',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
