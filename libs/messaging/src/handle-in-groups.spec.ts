import { type BatchItemErrors, handleInGroups } from './errors';

describe('handleInGroups', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('runs groups of the size, heartbeats between them, and reports errors by batch index', async () => {
    const groups: string[] = [];
    let beats = 0;
    const error = await handleInGroups(
      items,
      2,
      () => Promise.resolve(void beats++),
      (group) => {
        groups.push(group.join(''));
        return Promise.resolve(new Map(group.includes('d') ? [[1, new Error('d failed')]] : []));
      },
    ).catch((e: unknown) => e);
    expect(groups).toEqual(['ab', 'cd', 'e']);
    expect(beats).toBe(2);
    expect([...(error as BatchItemErrors).errors.keys()]).toEqual([3]);
  });

  it('resolves when nothing failed', async () => {
    await expect(
      handleInGroups(items, 3, undefined, () => Promise.resolve(new Map())),
    ).resolves.toBeUndefined();
  });

  it('lets a failure of the first group through as it is', async () => {
    const outage = new Error('database away');
    await expect(handleInGroups(items, 2, undefined, () => Promise.reject(outage))).rejects.toBe(outage);
  });
});
