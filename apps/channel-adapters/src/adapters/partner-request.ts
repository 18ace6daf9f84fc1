import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { resolvedAddressProblem, type PartnerAddressPolicy } from '@ixr/routing';

/** What the adapters read of a partner's answer. */
export interface PartnerAnswer {
  status: number;
  ok: boolean;
  text: string;
}

export interface PartnerRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the call for real: the socket is destroyed. */
  signal?: AbortSignal;
  /** Resolves the host name (see guardedLookup); the system's resolver when absent. */
  lookup?: LookupFunction;
}

/**
 * A DNS lookup that refuses a host whose addresses are not public (loopback, link-local, private)
 * unless the policy allows the host: checked after DNS, on the addresses the socket will use.
 */
export function guardedLookup(
  policy: PartnerAddressPolicy,
  resolve: typeof dnsLookup = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const problem = addresses
        .map((a) => resolvedAddressProblem(hostname, a.address, policy))
        .find((p) => p !== undefined);
      if (problem !== undefined) {
        return callback(Object.assign(new Error(problem), { code: 'EPARTNERADDRESS' }), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined)
        return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

/** A partner that answers more than this is not answering a message receipt: cut, and an error. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Kept-alive connections, one pool per scheme. `fetch` (undici) cost about 390 µs of CPU per
 * partner call under `npm run bench` — 30 % of the adapters' CPU; node:http with keep-alive costs
 * a fraction of it, for the same behaviour: timeouts abort through the signal, errors keep their
 * socket code (ECONNREFUSED, ECONNRESET …).
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxFreeSockets: 64 }),
  'https:': new HttpsAgent({ keepAlive: true, maxFreeSockets: 64 }),
};

/** One HTTP call to a partner; rejects with the socket's error, or an AbortError when aborted. */
export function partnerRequest(url: string, init: PartnerRequest): Promise<PartnerAnswer> {
  const target = new URL(url);
  const scheme = target.protocol as keyof typeof agents;
  if (!(scheme in agents))
    return Promise.reject(new Error(`unsupported partner URL scheme ${target.protocol}`));
  const send = scheme === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string | number> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
  return new Promise<PartnerAnswer>((resolve, reject) => {
    const request = send(
      target,
      { method: init.method, headers, agent: agents[scheme], signal: init.signal, lookup: init.lookup },
      (response) => void readAnswer(response).then(resolve, reject),
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

function readAnswer(response: IncomingMessage): Promise<PartnerAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        response.destroy(new Error(`the answer exceeds ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('the partner closed the connection mid-answer')));
    response.on('end', () => {
      const status = response.statusCode ?? 0;
      resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
