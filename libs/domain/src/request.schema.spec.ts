import { outboundRequestBodySchema, toValidationIssues } from './request.schema';

const valid = {
  missionType: 'administrative',
  targetCountries: ['NL', 'US'],
  offence: { category: 'fraud', description: 'Invoice fraud' },
  informationSought: 'Company records',
  purpose: 'Public order',
  justification: 'Complaint 123',
  subjects: [{ type: 'organisation', name: 'ACME BV', country: 'NL' }],
  urgency: { urgent: false },
  accessibility: 'indirect',
  handlingCode: 'H0',
  language: 'nl',
};

function issuesOf(body: unknown) {
  const result = outboundRequestBodySchema.safeParse(body);
  return result.success ? [] : toValidationIssues(result.error);
}

describe('outboundRequestBodySchema', () => {
  it('accepts a valid body and normalises text to NFC, trimmed', () => {
    const parsed = outboundRequestBodySchema.parse({ ...valid, purpose: '  Cafe\u0301  ' });
    expect(parsed.purpose).toBe('Caf\u00e9');
  });

  it('names every missing required field', () => {
    const paths = issuesOf({}).map((i) => i.path);
    for (const field of [
      'missionType',
      'targetCountries',
      'offence',
      'informationSought',
      'purpose',
      'justification',
      'subjects',
      'urgency',
      'accessibility',
      'handlingCode',
      'language',
    ]) {
      expect(paths).toContain(field);
    }
  });

  it.each([
    ['unknown field', { ...valid, extra: 1 }, '(body)'],
    ['duplicate countries', { ...valid, targetCountries: ['NL', 'NL'] }, 'targetCountries'],
    ['lower-case country', { ...valid, targetCountries: ['nl'] }, 'targetCountries.0'],
    ['the requesting state', { ...valid, targetCountries: ['BE'] }, 'targetCountries'],
    ['28 countries', { ...valid, targetCountries: Array(28).fill('NL') }, 'targetCountries'],
    ['empty text', { ...valid, purpose: '   ' }, 'purpose'],
    ['text over 4000', { ...valid, purpose: 'x'.repeat(4001) }, 'purpose'],
    ['control character', { ...valid, purpose: 'a\u0000b' }, 'purpose'],
    [
      'unknown category',
      { ...valid, offence: { category: 'jaywalking', description: 'x' } },
      'offence.category',
    ],
    ['urgent without ground', { ...valid, urgency: { urgent: true, reason: 'x' } }, 'urgency.ground'],
    ['unknown subject type', { ...valid, subjects: [{ type: 'animal' }] }, 'subjects.0.type'],
    ['51 subjects', { ...valid, subjects: Array(51).fill({ type: 'phone', number: '1' }) }, 'subjects'],
    ['bad SIS article', { ...valid, sisAlert: { reference: 'X', article: 27 } }, 'sisAlert.article'],
    ['bad language', { ...valid, language: 'xx' }, 'language'],
    [
      'bad date of birth',
      { ...valid, subjects: [{ type: 'person', dateOfBirth: '1980-13-40' }] },
      'subjects.0.dateOfBirth',
    ],
  ])('refuses %s, naming %s', (_what, body, path) => {
    const issues = issuesOf(body);
    expect(issues.map((i) => i.path)).toContain(path);
  });
});
