/**
 * A foreign request from NL over SIENA, as a partner writes it (the partner simulator signs and
 * sends it), for the Antwerp contact point; `overrides` replace or add fields.
 */
export function partnerRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'request',
    missionType: 'judicial',
    offence: { category: 'drug_trafficking', description: 'Cocaine shipments through Antwerp' },
    region: 'antwerpen',
    urgency: { urgent: false },
    accessibility: 'indirect',
    handlingCode: 'H1',
    language: 'en',
    informationSought: 'Known addresses of the subject in Belgium',
    purpose: 'Investigation Rotterdam 2026/77',
    subjects: [{ type: 'person', name: 'Piet Peters' }],
    ...overrides,
  };
}
