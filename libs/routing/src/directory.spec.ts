import { EU_MEMBER_STATES, OFFENCE_CATEGORIES, SCHENGEN_ASSOCIATED } from '@ixr/domain';
import { findContactPoint, liaisonPostFor, pcccCentreFor } from './directory.lookup';
import { parseDirectory } from './directory.schema';
import { defaultDirectory } from './ruleset.loader';

const directory = defaultDirectory();

describe('the seed directory', () => {
  it('lists the 27 EU member states and the 4 Schengen-associated countries, as the domain does', () => {
    const eu = Object.entries(directory.countries)
      .filter(([, c]) => c.euMember)
      .map(([code]) => code);
    const schengen = Object.entries(directory.countries)
      .filter(([, c]) => c.schengenAssociated)
      .map(([code]) => code);
    expect(eu.sort()).toEqual([...EU_MEMBER_STATES].sort());
    expect(schengen.sort()).toEqual([...SCHENGEN_ASSOCIATED].sort());
  });

  it('counts the EU member states as the Prüm participants', () => {
    const prum = Object.entries(directory.countries)
      .filter(([, c]) => c.prum)
      .map(([code]) => code);
    expect(prum.sort()).toEqual([...EU_MEMBER_STATES].sort());
  });

  it('assigns one PCCC with Belgium to FR, LU, DE and NL', () => {
    expect(pcccCentreFor(directory, 'FR')?.name).toBe('Tournai');
    expect(pcccCentreFor(directory, 'LU')?.name).toBe('Luxembourg');
    expect(pcccCentreFor(directory, 'DE')?.name).toBe('Heerlen');
    expect(pcccCentreFor(directory, 'NL')?.name).toBe('Heerlen');
    expect(pcccCentreFor(directory, 'AT')).toBeUndefined();
  });

  it('knows the public liaison posts', () => {
    expect(liaisonPostFor(directory, 'US')?.city).toBe('Washington');
    expect(liaisonPostFor(directory, 'CA')?.city).toBe('Washington');
    expect(liaisonPostFor(directory, 'MA')?.city).toBe('Rabat');
    expect(liaisonPostFor(directory, 'TR')?.city).toBe('Istanbul');
    expect(liaisonPostFor(directory, 'MD')?.city).toBe('Bucharest');
    expect(liaisonPostFor(directory, 'CN')).toBeUndefined();
  });

  it('has the SPOC as unit and duty desk, and a national contact point for every mandate category', () => {
    expect(directory.spocUnit).toBe('CGI-SPOC');
    expect(directory.spocDutyDesk).toBe('CGI-SPOC');
    for (const category of OFFENCE_CATEGORIES.filter((c) => c !== 'other')) {
      expect([category, findContactPoint(directory, category, undefined)?.match]).toEqual([
        category,
        'national',
      ]);
    }
    expect(findContactPoint(directory, 'other', undefined)).toBeUndefined();
  });
});

describe('parseDirectory', () => {
  const json = (): unknown => JSON.parse(JSON.stringify(directory));
  /** Sets one member deep inside a JSON document, to break it on purpose. */
  function set(doc: unknown, path: Array<string | number>, value: unknown): void {
    let node = doc as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
  }

  it('accepts the seed directory', () => {
    expect(parseDirectory(json()).ok).toBe(true);
  });

  it('names bad fields by path', () => {
    const bad = json();
    set(bad, ['contactPoints', 0, 'themes'], ['shoplifting']);
    set(bad, ['countries', 'fr'], directory.countries.FR);
    const result = parseDirectory(bad);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['contactPoints[0].themes[0]', 'countries.fr']),
    );
  });

  it('names bad references by path (checked once the shape is right)', () => {
    const bad = json();
    set(bad, ['countries', 'DE', 'pcccCentre'], 'PCCC-TOURNAI');
    set(bad, ['countries', 'AT', 'pcccCentre'], 'PCCC-VIENNA');
    set(bad, ['liaisonPosts', directory.liaisonPosts.length], directory.liaisonPosts[0]);
    set(bad, ['homeCountry'], 'XX');
    const result = parseDirectory(bad);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'countries.DE.pcccCentre',
        'countries.AT.pcccCentre',
        `liaisonPosts[${directory.liaisonPosts.length}].id`,
        'homeCountry',
      ]),
    );
  });
});
