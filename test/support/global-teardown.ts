/** The broker and the database stay up for the next run; each suite stops the services it started. */
export default async function globalTeardown(): Promise<void> {}
