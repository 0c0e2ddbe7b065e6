/**
 * `GET /calendar/instrument.ics?id=<instrument id>`: when an instrument is busy, as a public iCalendar feed
 * (RFC 5545) that anyone may subscribe to in a calendar application — bookings (confirmed, and those waiting
 * for approval as tentative) and closures, from a month back to a year ahead. From the national catalogue,
 * so it answers while the owner is down; it holds no personal data (no user, purpose or grant ever leaves
 * the owner). A cancelled booking leaves the catalogue, and with it the feed.
 */
import { errors, renderCalendar, type CalendarEvent } from '@kyoyo/domain';
import type { CatalogueCalendarRepository, BusyPeriod } from '../catalogue/catalogue-calendar.repository';
import { fileDownloadRoute, type DownloadRouteDeps } from '../common/download-route';
import type { InstitutionRegistry } from '../registry/registry';

const DAY = 86_400_000;

function summaryOf(period: BusyPeriod): Pick<CalendarEvent, 'summary' | 'status'> {
  if (period.kind === 'closure') return { summary: '休止 / Closed', status: 'CONFIRMED' };
  return period.held
    ? { summary: '予約済み / Booked', status: 'CONFIRMED' }
    : { summary: '仮予約（承認待ち） / Pending approval', status: 'TENTATIVE' };
}

export function instrumentCalendarRoute(
  registry: InstitutionRegistry,
  calendar: CatalogueCalendarRepository,
  deps: DownloadRouteDeps,
  now: () => Date = () => new Date(),
) {
  return fileDownloadRoute(
    '/calendar/instrument.ics',
    async (params) => {
      const id = params.get('id') ?? '';
      if (!id) throw errors.badInput('id', 'Name the instrument: ?id=<instrument id>');
      const { institution, localId } = registry.locate(id, 'Instrument', 'id');
      const at = now().getTime();
      const found = await calendar.busyOf(institution, Number(localId), {
        start: new Date(at - 31 * DAY),
        end: new Date(at + 366 * DAY),
      });
      if (!found) throw errors.notFound('Instrument', 'id');
      const owner = registry.get(institution)?.name ?? institution;
      const body = renderCalendar({
        name: `${found.name}（${owner}）`,
        events: found.periods.map((period) => ({
          uid: `${period.kind}-${institution}-${period.id}@kyoyo`,
          start: period.period.start,
          end: period.period.end,
          ...summaryOf(period),
          location: `${found.name}, ${owner}`,
          changedAt: period.harvestedAt,
        })),
      });
      return { filename: `instrument-${institution}-${localId}.ics`, contentType: 'text/calendar; charset=utf-8', body };
    },
    deps,
    { cacheControl: 'public, max-age=60', disposition: 'inline' },
  );
}
