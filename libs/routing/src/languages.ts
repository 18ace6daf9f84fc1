import type { Directory } from './directory.schema';

/** The languages Interpol works in (DOMAIN.md, Directive 2023/977 Art 11 context). */
export const INTERPOL_LANGUAGES = ['ar', 'en', 'es', 'fr'] as const;

export interface LanguageIssue {
  path: string;
  message: string;
}

/**
 * Art 11: a request (and the case that follows it) is written in a language the requested state
 * accepts. One issue per target that does not accept `language`, naming the country and the
 * languages it accepts; a country the directory lists no languages for (a version from before
 * languages) is not checked.
 */
export function languageIssues(
  directory: Pick<Directory, 'countries'>,
  countries: readonly string[],
  language: string,
  path = 'language',
): LanguageIssue[] {
  return countries.flatMap((code) => {
    const entry = directory.countries[code];
    const accepted = entry?.languages;
    if (!accepted || accepted.includes(language)) return [];
    return [
      {
        path,
        message: `${code} (${entry.name}) does not accept "${language}": it accepts ${accepted.join(', ')}`,
      },
    ];
  });
}
