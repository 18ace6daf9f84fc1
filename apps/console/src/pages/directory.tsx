import { get } from '../api';
import { Columns, ErrorNotice, Loading, PageHeading, useAsync } from '../ui';

interface Directory {
  version: string;
  countries: Record<
    string,
    { name: string; euMember: boolean; schengenAssociated: boolean; prum: boolean; languages: string[] }
  >;
  contactPoints: { id: string; name: string; themes: string[]; regions?: string[]; expertise?: string }[];
  liaisonPosts: { id: string; city: string; hostCountry: string; accreditedFor: string[] }[];
  pcccCentres: { id: string; name: string; countries: string[] }[];
}

/** `GET /v1/directory`: contact points, languages per state, liaison posts and cooperation centres. */
export function DirectoryPage() {
  const dir = useAsync(() => get<Directory>('/v1/directory'), []);
  const d = dir.data;
  return (
    <section>
      <PageHeading title="Directory">Directory{d ? ` (version ${d.version})` : ''}</PageHeading>
      <ErrorNotice error={dir.error} />
      {dir.loading && !d && <Loading what="the directory" />}
      {d && (
        <>
          <h2>Contact points</h2>
          <table>
            <caption>National contact points and the offence themes they take</caption>
            <Columns names={['Unit', 'Name', 'Themes', 'Regions']} />
            <tbody>
              {d.contactPoints.map((c) => (
                <tr key={c.id}>
                  <td>{c.id}</td>
                  <td>{c.name}</td>
                  <td>{c.themes.join(', ').replace(/_/g, ' ')}</td>
                  <td>{c.regions?.join(', ') ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Liaison posts</h2>
          <table>
            <caption>Belgian liaison officers abroad</caption>
            <Columns names={['Post', 'City', 'Accredited for']} />
            <tbody>
              {d.liaisonPosts.map((p) => (
                <tr key={p.id}>
                  <td>{p.id}</td>
                  <td>
                    {p.city} ({p.hostCountry})
                  </td>
                  <td>{p.accreditedFor.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Police and customs cooperation centres</h2>
          <ul>
            {d.pcccCentres.map((c) => (
              <li key={c.id}>
                {c.id} — {c.name}: {c.countries.join(', ')}
              </li>
            ))}
          </ul>
          <h2>States and their languages</h2>
          <table>
            <caption>Languages each state accepts (Art 11), EU membership, Schengen and Prüm</caption>
            <Columns names={['Code', 'State', 'Languages', 'EU', 'Schengen', 'Prüm']} />
            <tbody>
              {Object.entries(d.countries).map(([code, c]) => (
                <tr key={code}>
                  <td>{code}</td>
                  <td>{c.name}</td>
                  <td>{c.languages?.join(', ') ?? '—'}</td>
                  <td>{c.euMember ? 'yes' : 'no'}</td>
                  <td>{c.euMember || c.schengenAssociated ? 'yes' : 'no'}</td>
                  <td>{c.prum ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
