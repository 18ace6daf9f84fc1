/** Life cycle of a request as the API shows it. */
export const REQUEST_STATUSES = [
  'received',
  'routed',
  'dispatched',
  'delivered',
  'failed',
  'answered',
  // The case steps of SPEC §8: refused on an Art 6 ground, waiting for a clarification, withdrawn.
  'refused',
  'awaiting_clarification',
  'withdrawn',
  // SPEC §10: its personal data was erased by the data-protection officer; the facts remain.
  'erased',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** `cancelled`: the request was withdrawn before the delivery was made; it is never sent. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
