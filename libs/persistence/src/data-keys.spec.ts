import { DataKeyVault, DEVELOPMENT_DATA_KEY_MASTER, type KeyReader } from './data-keys';

/** `data_keys` in memory, answering the vault's few statements; it records each one it runs. */
class FakeKeyTable implements KeyReader {
  readonly rows = new Map<string, Buffer>();
  readonly statements: string[] = [];

  query(sql: string, parameters: unknown[] = []): Promise<unknown> {
    this.statements.push(sql);
    if (sql.startsWith('INSERT')) {
      this.rows.set(parameters[0] as string, parameters[1] as Buffer);
      return Promise.resolve([]);
    }
    const ids = sql.includes('ANY($1)') ? (parameters[0] as string[]) : [parameters[0] as string];
    const found = ids.filter((id) => this.rows.has(id));
    return Promise.resolve(found.map((id) => ({ key_id: id, wrapped: this.rows.get(id) })));
  }
}

describe('DataKeyVault.findMany', () => {
  it('reads several keys in one statement, unwrapped; a key that is gone is absent', async () => {
    const vault = new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, true);
    const table = new FakeKeyTable();
    const manager = table as never;
    const a = await vault.keyFor(manager, 'request-a');
    const b = await vault.keyFor(manager, 'request-b');
    table.statements.length = 0;

    const keys = await vault.findMany(table, ['request-a', 'request-b', 'request-erased']);

    expect(table.statements).toEqual(['SELECT key_id, wrapped FROM data_keys WHERE key_id = ANY($1)']);
    expect(keys).toEqual(
      new Map([
        ['request-a', a],
        ['request-b', b],
      ]),
    );
  });

  it('reads nothing for no keys', async () => {
    const table = new FakeKeyTable();
    expect(await new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, false).findMany(table, [])).toEqual(new Map());
    expect(table.statements).toEqual([]);
  });
});
