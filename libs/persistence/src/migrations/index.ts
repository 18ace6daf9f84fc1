import { InitialSchema1764370000000 } from './1764370000000-initial-schema';

/** Checked-in migrations, in order (STYLE §8). */
export const MIGRATIONS = [InitialSchema1764370000000];
