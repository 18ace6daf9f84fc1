import type { OutboundRequestBody } from './request';

/**
 * A complete, valid outbound request body (non-urgent, one EU target): the benchmarks' load and the
 * tests' default, each overriding what it is about.
 */
export function sampleRequestBody(overrides: Partial<OutboundRequestBody> = {}): OutboundRequestBody {
  return {
    missionType: 'judicial',
    targetCountries: ['NL'],
    offence: { category: 'drug_trafficking', description: 'Cocaine shipment through the port of Antwerp' },
    informationSought: 'Known addresses and vehicles of the subject',
    purpose: 'Criminal investigation 2026/123',
    justification: 'Subject seen crossing the border weekly',
    subjects: [{ type: 'person', name: 'Jan Jansen', dateOfBirth: '1980-04-02', nationality: 'NL' }],
    urgency: { urgent: false },
    accessibility: 'direct',
    handlingCode: 'H1',
    language: 'en',
    ...overrides,
  };
}
