import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kyoyo/server-kit';
import { loadConfig } from './config';

const valid = {
  INSTITUTION_CODE: 'tohoku-u',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  GATEWAY_PUBLIC_JWK_FILE: '/keys/gw.json',
};

describe('equipment service config', () => {
  it('accepts a valid environment and fills in defaults', () => {
    expect(loadConfig(valid)).toMatchObject({
      INSTITUTION_CODE: 'tohoku-u',
      PORT: 4100,
      HOST: '127.0.0.1',
      DATABASE_POOL_MAX: 10,
    });
  });

  it('reports every problem at once, by variable name', () => {
    try {
      loadConfig({ INSTITUTION_CODE: 'Tohoku U', DATABASE_URL: 'mysql://x', PORT: 'eighty' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const vars = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(vars).toEqual(['INSTITUTION_CODE', 'DATABASE_URL', 'PORT', 'GATEWAY_PUBLIC_JWK']);
    }
  });
});
