import { count, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { equipmentSchema } from '@kyoyo/db';
import { searchColumnsOf } from '@kyoyo/equipment-service';
import type { DemoInstitutionData } from '../demo-data';

const { instrumentsTable, feeRatesTable, openHoursTable, bookingsTable } = equipmentSchema;

type EquipmentDb = PostgresJsDatabase<typeof equipmentSchema>;

const CHUNK = 1000;
const BOOKING_CHUNK = 10_000;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** True when the institution's database already holds listings (demo data is seeded once). */
export async function isSeeded(db: EquipmentDb): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(instrumentsTable);
  return (row?.n ?? 0) > 0;
}

/**
 * Writes one institution's demo data in a single transaction: listings with their search columns, fee
 * schedules, open hours and a year of past bookings (whose fees were computed by the generator).
 */
export async function seedInstitution(
  db: EquipmentDb,
  data: DemoInstitutionData,
): Promise<{ instruments: number; bookings: number }> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(instrumentsTable)
      .values(
        data.instruments.map((i) => {
          const listing = { ...i, location: { latitude: i.latitude, longitude: i.longitude } };
          return {
            localId: i.localId,
            name: i.name,
            nameEn: i.nameEn,
            category: i.category,
            manufacturer: i.manufacturer,
            model: i.model,
            description: i.description,
            acquisitionPrice: i.acquisitionPrice,
            acquiredOn: i.acquiredOn,
            building: i.building,
            latitude: i.latitude,
            longitude: i.longitude,
            sharedExternally: i.sharedExternally,
            remoteOperable: i.remoteOperable,
            requiresApproval: i.requiresApproval,
            requiresQualification: i.requiresQualification,
            maxBookingMinutes: i.maxBookingMinutes,
            ...searchColumnsOf(listing),
          };
        }),
      )
      .returning({ id: instrumentsTable.id, localId: instrumentsTable.localId });
    const idOf = new Map(inserted.map((r) => [r.localId, r.id]));
    const id = (localId: string) => {
      const found = idOf.get(localId);
      if (found === undefined) throw new Error(`demo booking names unknown instrument ${localId}`);
      return found;
    };

    await insertChunked(
      data.instruments.flatMap((i) => i.fees.map((f) => ({ instrumentId: id(i.localId), ...f }))),
      (chunk) => tx.insert(feeRatesTable).values(chunk),
    );
    await insertChunked(
      data.instruments.flatMap((i) => i.openHours.map((h) => ({ instrumentId: id(i.localId), ...h }))),
      (chunk) => tx.insert(openHoursTable).values(chunk),
    );
    // Tens of thousands of bookings: one JSON parameter per chunk is far faster than a parameter per value.
    const bookingRows = data.bookings.map((b, n) => ({
      instrument_id: id(b.instrumentLocalId),
      requester_id: b.requesterId,
      requester_organization: b.requesterOrganization,
      requester_institution: b.requesterInstitution,
      user_category: b.userCategory,
      mode: b.mode,
      period: `[${b.start.toISOString()},${b.end.toISOString()})`,
      status: b.status,
      fee: b.fee,
      cancellation_fee: b.cancellationFee,
      funding_source: b.fundingSource,
      purpose: b.purpose,
      idempotency_key: `demo-seed-${n}`,
      created_at: b.createdAt.toISOString(),
      updated_at: b.end.toISOString(),
    }));
    for (let i = 0; i < bookingRows.length; i += BOOKING_CHUNK) {
      const chunk = JSON.stringify(bookingRows.slice(i, i + BOOKING_CHUNK));
      await tx.execute(sql`
        INSERT INTO ${bookingsTable} (instrument_id, requester_id, requester_organization, requester_institution, user_category,
          mode, period, status, fee, cancellation_fee, funding_source, purpose, idempotency_key, request_hash, created_at, updated_at)
        SELECT instrument_id, requester_id, requester_organization, requester_institution, user_category::user_category,
          mode::operation_mode, period::tstzrange, status::booking_status, fee, cancellation_fee, funding_source, purpose,
          idempotency_key, 'demo-seed', created_at, updated_at
        FROM json_to_recordset(${chunk}::json) AS r(instrument_id bigint, requester_id text, requester_organization text,
          requester_institution text, user_category text, mode text, period text, status text, fee bigint, cancellation_fee bigint,
          funding_source text, purpose text, idempotency_key text, created_at timestamptz, updated_at timestamptz)`);
    }
    return { instruments: inserted.length, bookings: data.bookings.length };
  });
}
