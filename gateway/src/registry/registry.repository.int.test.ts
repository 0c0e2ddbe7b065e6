import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, violatedConstraint, type Database } from '@kyoyo/db';
import { createTestDatabase } from '@kyoyo/test-kit';
import { gatewayMigrationsFolder } from '../db/migrations';
import * as gatewaySchema from '../db/schema';
import { RegistryRepository } from './registry.repository';
import type { RegisteredInstitution } from './registry.types';

let database: Database<typeof gatewaySchema>;
let registry: RegistryRepository;

beforeAll(async () => {
  database = connect(await createTestDatabase(gatewayMigrationsFolder), gatewaySchema, { max: 2 });
  registry = new RegistryRepository(database.db);
});

afterAll(() => database?.close());

const tohoku: RegisteredInstitution = {
  code: 'tohoku-u',
  name: '東北大学',
  nameEn: 'Tohoku University',
  prefecture: '宮城県',
  location: { latitude: 38.2547, longitude: 140.838 },
  serviceUrl: 'https://kyoyo.tohoku.example.ac.jp',
};
const kyushu: RegisteredInstitution = {
  code: 'kyushu-u',
  name: '九州大学',
  nameEn: null,
  prefecture: '福岡県',
  location: null,
  serviceUrl: 'http://10.0.0.7:4100',
};

describe('the institution registry', () => {
  it('registers institutions, updates one by its code, and lists them by code', async () => {
    await registry.upsert(tohoku);
    await registry.upsert(kyushu);
    await registry.upsert({ ...tohoku, serviceUrl: 'https://kyoyo2.tohoku.example.ac.jp' });
    expect(await registry.list()).toEqual([kyushu, { ...tohoku, serviceUrl: 'https://kyoyo2.tohoku.example.ac.jp' }]);
  });

  it('removes an institution by its code, saying whether it was there, and leaves the others', async () => {
    expect(await registry.remove('kyushu-u')).toBe(true);
    expect(await registry.remove('kyushu-u')).toBe(false);
    expect(await registry.remove('not-registered')).toBe(false);
    expect((await registry.list()).map((i) => i.code)).toEqual(['tohoku-u']);
  });

  it('is guarded by the database too: a malformed code or an impossible location is refused', async () => {
    const constraintOf = (write: Promise<void>) => write.then(() => 'written', violatedConstraint);
    expect(await constraintOf(registry.upsert({ ...kyushu, code: 'Kyushu U' }))).toBe('institutions_code_format');
    expect(await constraintOf(registry.upsert({ ...kyushu, location: { latitude: 91, longitude: 0 } }))).toBe(
      'institutions_location_range',
    );
    expect((await registry.list()).map((i) => i.code)).toEqual(['tohoku-u']);
  });
});
