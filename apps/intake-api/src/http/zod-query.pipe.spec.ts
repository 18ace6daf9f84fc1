import { requestSearchQuerySchema } from '@ixr/persistence';
import { ZodQueryPipe } from './zod-query.pipe';

describe('the query pipe', () => {
  it('names every bad and every unknown parameter', () => {
    const pipe = new ZodQueryPipe(requestSearchQuerySchema);
    let details: { path: string }[] = [];
    try {
      pipe.transform({ status: 'lost', limit: '500', colour: 'red', size: '1' });
    } catch (error) {
      details = (error as { details: { path: string }[] }).details;
    }
    expect(details.map((d) => d.path).sort()).toEqual(['colour', 'limit', 'size', 'status']);
    expect(pipe.transform({ urgent: 'false', limit: '5' })).toMatchObject({ urgent: false, limit: 5 });
  });
});
