import { defaultDirectory } from './ruleset.loader';
import { parseDirectory } from './directory.schema';
import { INTERPOL_LANGUAGES, languageIssues } from './languages';

describe('accepted languages (Directive 2023/977 Art 11)', () => {
  const directory = defaultDirectory();

  it('ships English for every EU and Schengen state, and Interpol languages for the others', () => {
    for (const [code, entry] of Object.entries(directory.countries)) {
      expect({ code, languages: entry.languages }).toEqual({
        code,
        languages: expect.arrayContaining(['en']),
      });
      if (!entry.euMember && !entry.schengenAssociated)
        expect(entry.languages).toEqual([...INTERPOL_LANGUAGES]);
    }
    expect(directory.countries.NL.languages).toEqual(['en', 'nl']);
  });

  it('names each target that does not accept the language, with the languages it accepts', () => {
    expect(languageIssues(directory, ['NL', 'FR'], 'en')).toEqual([]);
    expect(languageIssues(directory, ['NL', 'DE', 'US'], 'de')).toEqual([
      { path: 'language', message: 'NL (Netherlands) does not accept "de": it accepts en, nl' },
      { path: 'language', message: 'US (United States) does not accept "de": it accepts ar, en, es, fr' },
    ]);
  });

  it('does not check a country listed without languages (a directory version from before them)', () => {
    const { languages: _dropped, ...nl } = directory.countries.NL;
    expect(languageIssues({ countries: { NL: nl } }, ['NL'], 'de')).toEqual([]);
  });

  it('refuses a directory where an EU state does not accept English', () => {
    const edited = structuredClone(directory);
    edited.countries.NL.languages = ['nl'];
    const result = parseDirectory(edited);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.path)).toContain('countries.NL.languages');
  });
});
