import type { Claims } from '@ixr/auth';
import type { Actor } from '@ixr/domain';

/** The acting person, unit and role, from the verified token only. */
export function actorOf(claims: Claims, preferred: readonly string[] = []): Actor {
  const role =
    preferred.find((r) => claims.roles.includes(r as Claims['roles'][number])) ??
    claims.roles[0] ??
    'unknown';
  return { person: claims.sub, unit: claims.unit, level: claims.level, role };
}
