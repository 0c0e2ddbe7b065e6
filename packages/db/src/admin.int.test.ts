import { inject, describe, expect, it } from 'vitest';
import { freePort } from './embedded';
import { serverProblem } from './admin';

describe('serverProblem', () => {
  it('is null for a server that answers', async () => {
    expect(await serverProblem(inject('pgAdminUrl'))).toBeNull();
  });

  it('says in one line why a server cannot be reached, without the password', async () => {
    const port = await freePort();
    const problem = await serverProblem(`postgres://someone:secret@127.0.0.1:${port}/postgres`);
    expect(problem).toBe(`cannot reach the PostgreSQL server at 127.0.0.1:${port} (connection refused)`);
  });
});
