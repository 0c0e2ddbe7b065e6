import { asc, eq } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { GatewayDb } from '../registry/registry.repository';

const { duplicateChecksTable: t } = gatewaySchema;

/** A check record as stored. */
export interface StoredCheck {
  id: string;
  batchId: string | null;
  position: number;
  institution: string;
  checkedBy: string;
  checkedAt: Date;
  verdict: string;
  canonical: string;
  digest: string;
  /** The candidates' listings as they were, in canonical order. */
  record: { listings: FederatedInstrument[] };
}

/** Duplicate-check records in the gateway's database. Append-only: there is no update or delete. */
export class DuplicateChecksRepository {
  constructor(private readonly db: GatewayDb) {}

  /** Stores the records of one check or one batch in one transaction: all or none. */
  async insertAll(checks: readonly StoredCheck[]): Promise<void> {
    if (checks.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < checks.length; i += 200) await tx.insert(t).values(checks.slice(i, i + 200).map((c) => ({ ...c })));
    });
  }

  async findById(id: string): Promise<StoredCheck | null> {
    const [row] = await this.db.select().from(t).where(eq(t.id, id));
    return row ? (row as StoredCheck) : null;
  }

  /** The checks of a batch in the order they were submitted. */
  async findByBatch(batchId: string): Promise<StoredCheck[]> {
    const rows = await this.db.select().from(t).where(eq(t.batchId, batchId)).orderBy(asc(t.position));
    return rows as StoredCheck[];
  }
}
