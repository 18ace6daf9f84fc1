/**
 * Why a partner call failed without an answer. These errors carry no `cause` and no socket error
 * code on purpose: the transport must not mistake a partner that is down for a database that is
 * down (which it waits for without limit); partner failures are retried, then parked.
 */
export class PartnerUnavailableError extends Error {
  readonly code: string = 'PARTNER.UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The partner did not answer in time; the HTTP call was aborted. */
export class PartnerTimeoutError extends PartnerUnavailableError {
  override readonly code = 'PARTNER.TIMEOUT';
}

/** The partner's circuit is open: no call was made. */
export class CircuitOpenError extends PartnerUnavailableError {
  override readonly code = 'CIRCUIT.OPEN';
}
