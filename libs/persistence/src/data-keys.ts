import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/**
 * The data keys of personal data (SPEC §10): one random AES-256 key per request, kept in
 * `data_keys` wrapped (AES-256-GCM, the key id as additional data) by the master key of the
 * configuration (`DATA_KEY_MASTER`). Deleting a request's row is its erasure: what was sealed
 * under the key — on every topic, in every log entry, in every outbox row — is unreadable after.
 */
export class DataKeyVault implements DataKeySource {
  constructor(
    private readonly master: Buffer,
    /**
     * The services that create keys: the intake (submissions) and the adapters (partner messages),
     * each in rows of its own (`data_keys.writer`, row-level security); every service reads all.
     */
    readonly createsKeys: boolean,
  ) {
    if (master.length !== 32) throw new Error('DATA_KEY_MASTER: expected 32 bytes, base64-encoded');
  }

  /** The request's key; created if missing when this service creates keys. */
  async keyFor(manager: EntityManager, keyId: string): Promise<Buffer> {
    const found = await this.find(manager, keyId);
    if (found) return found;
    if (!this.createsKeys) {
      throw new DataKeyMissingError(`no data key for ${keyId}: its personal data was erased or never sealed`);
    }
    const key = randomBytes(32);
    await manager.query(
      `INSERT INTO data_keys (key_id, wrapped, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`,
      [keyId, this.wrap(keyId, key)],
    );
    // A concurrent writer may have won: its key is the one.
    const stored = await this.find(manager, keyId);
    if (!stored) throw new DataKeyMissingError(`the data key for ${keyId} could not be stored`);
    return stored;
  }

  /** A new key for a request, and its wrapped form for `data_keys` (a writer that inserts it itself). */
  fresh(keyId: string): { key: Buffer; wrapped: Buffer } {
    const key = randomBytes(32);
    return { key, wrapped: this.wrap(keyId, key) };
  }

  /** The request's key, or null when it is gone (erased). */
  async find(db: KeyReader, keyId: string): Promise<Buffer | null> {
    const rows = (await db.query(`SELECT wrapped FROM data_keys WHERE key_id = $1`, [keyId])) as {
      wrapped: Buffer;
    }[];
    return rows.length === 0 ? null : this.unwrap(keyId, rows[0].wrapped);
  }

  /**
   * The keys of several requests in one statement (a consumer's batch: one read, not one per
   * event); a key that is gone (erased) is absent from the map.
   */
  async findMany(db: KeyReader, keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    if (keyIds.length === 0) return new Map();
    const rows = (await db.query(`SELECT key_id, wrapped FROM data_keys WHERE key_id = ANY($1)`, [
      [...keyIds],
    ])) as { key_id: string; wrapped: Buffer }[];
    return new Map(rows.map((row) => [row.key_id, this.unwrap(row.key_id, row.wrapped)]));
  }

  private wrap(keyId: string, key: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv);
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const data = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  private unwrap(keyId: string, wrapped: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.master, wrapped.subarray(0, 12));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
    } catch {
      throw new Error(
        `the data key of ${keyId} does not open with DATA_KEY_MASTER: is it the master key it was made with?`,
      );
    }
  }
}

/** Anything that runs SQL and answers rows (a DataSource, an EntityManager, an adapted client). */
export interface KeyReader {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export class DataKeyMissingError extends Error {
  readonly code = 'PERSONAL_DATA.KEY_MISSING';
}

/**
 * Erases a request's data key, if this service wrote it (row-level security: each service deletes
 * only its own keys; the intake in the erasure's transaction, the adapters on ixr.requests.erased).
 */
export async function eraseDataKey(manager: EntityManager, requestId: string): Promise<void> {
  await manager.query(`DELETE FROM data_keys WHERE key_id = $1`, [requestId]);
}

/**
 * The development master key: derived from a public seed, so anyone who reads the repository
 * could unwrap the keys. Announced at start, refused in production mode (SPEC §6).
 */
export const DEVELOPMENT_DATA_KEY_MASTER = createHash('sha256')
  .update('ixr development data-key master (public, not for production)')
  .digest();

/** `DATA_KEY_MASTER` (base64 of 32 bytes) as bytes; the error names the setting, never the value. */
export function parseDataKeyMaster(text: string | undefined): Buffer {
  if (text === undefined) return DEVELOPMENT_DATA_KEY_MASTER;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32 || !/^[A-Za-z0-9+/_-]+=*$/.test(text)) {
    throw new Error('DATA_KEY_MASTER: expected 32 random bytes, base64-encoded (openssl rand -base64 32)');
  }
  return bytes;
}

/** Where the outbox finds a request's data key (the vault; in unit tests, memory). */
export interface DataKeySource {
  keyFor(manager: EntityManager, keyId: string): Promise<Buffer>;
}

/** Keys in memory, for unit tests whose database is a fake. */
export class InMemoryDataKeys implements DataKeySource {
  readonly keys = new Map<string, Buffer>();
  keyFor(_manager: EntityManager, keyId: string): Promise<Buffer> {
    if (!this.keys.has(keyId)) this.keys.set(keyId, randomBytes(32));
    return Promise.resolve(this.keys.get(keyId)!);
  }
  find(keyId: string): Promise<Buffer | null> {
    return Promise.resolve(this.keys.get(keyId) ?? null);
  }
}

let configured: DataKeySource | undefined;

/** Set once at a service's start (libs/runtime): the outbox seals personal data with it. */
export function configureDataKeys(source: DataKeySource): void {
  configured = source;
}

export function dataKeyVault(): DataKeySource | undefined {
  return configured;
}
