/**
 * `GET /calendar/personal.ics?token=<secret>`: a person's own bookings at every institution, as an iCalendar
 * feed (RFC 5545) for their calendar application — from a month back to a year ahead; confirmed and completed
 * ones as CONFIRMED, those waiting for approval as TENTATIVE. Cancelled and rejected bookings leave the feed (an
 * application that reads it again removes them). Read live from the owners, as `myBookings` is; when an owner
 * does not answer the whole feed answers 503 (INSTITUTION_UNAVAILABLE), so that the application keeps its last
 * copy instead of deleting that institution's bookings.
 */
import { DomainError, encodeGlobalId, ErrorCode, renderCalendar, type CalendarEvent } from '@kyoyo/domain';
import type { FederatedBooking } from '../bookings/bookings.types';
import type { CatalogueCalendarRepository } from '../catalogue/catalogue-calendar.repository';
import { fileDownloadRoute, type DownloadRouteDeps } from '../common/download-route';
import type { InstitutionRegistry } from '../registry/registry';
import { PERSONAL_CALENDAR_PATH, type CalendarFeedsService } from './calendar-feeds.service';

const DAY = 86_400_000;
const SHOWN = new Set(['PENDING', 'CONFIRMED', 'COMPLETED']);
const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });

function eventOf(booking: FederatedBooking, instrumentName: string, owner: string): CalendarEvent {
  const id = encodeGlobalId('Booking', booking.institutionCode, booking.id);
  const pending = booking.status === 'PENDING';
  return {
    uid: `booking-${booking.institutionCode}-${booking.id}@kyoyo`,
    start: new Date(booking.start),
    end: new Date(booking.end),
    summary: pending ? `${instrumentName}（承認待ち / pending approval）` : instrumentName,
    status: pending ? 'TENTATIVE' : 'CONFIRMED',
    location: `${instrumentName}, ${owner}`,
    description: [
      `予約 / Booking: ${id}`,
      `利用目的 / Purpose: ${booking.purpose}`,
      `料金 / Fee: ${yen.format(booking.fee)}`,
      ...(booking.fundingSource ? [`財源 / Funding: ${booking.fundingSource}`] : []),
    ].join('\n'),
    changedAt: new Date(booking.decidedAt ?? booking.createdAt),
  };
}

export function personalCalendarRoute(
  feeds: CalendarFeedsService,
  registry: InstitutionRegistry,
  catalogue: CatalogueCalendarRepository,
  deps: DownloadRouteDeps,
  now: () => Date = () => new Date(),
) {
  return fileDownloadRoute(
    PERSONAL_CALENDAR_PATH,
    async (params, anonymous) => {
      // The URL's secret says whose feed this is; any Authorization header or cookie is beside the point.
      const identity = await feeds.resolve(params.get('token'));
      const ctx = deps.contextFor(identity, anonymous.requestId);
      const at = now().getTime();
      const bookings = (await ctx.bookings.mine(new Date(at - 31 * DAY), new Date(at + 366 * DAY), identity)).filter((b) =>
        SHOWN.has(b.status),
      );
      const silent = [...ctx.notices.unavailableInstitutions];
      if (silent.length > 0) {
        throw new DomainError(
          ErrorCode.INSTITUTION_UNAVAILABLE,
          `Not answering now: ${silent.join(', ')}; try again later (your calendar keeps its last copy)`,
        );
      }
      const names = await catalogue.namesOf(
        bookings.map((b) => ({ institution: b.institutionCode, id: Number(b.instrumentId) })),
      );
      const body = renderCalendar({
        name: 'Kyoyo 共用 — 自分の予約 / My bookings',
        events: bookings.map((b) =>
          eventOf(
            b,
            names.get(`${b.institutionCode}/${b.instrumentId}`) ??
              encodeGlobalId('Instrument', b.institutionCode, b.instrumentId),
            registry.get(b.institutionCode)?.name ?? b.institutionCode,
          ),
        ),
      });
      return { filename: 'kyoyo-my-bookings.ics', contentType: 'text/calendar; charset=utf-8', body };
    },
    { ...deps, authenticate: async () => null },
    { cacheControl: 'private, no-store', disposition: 'inline' },
  );
}
