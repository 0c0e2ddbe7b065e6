import type { Identity } from '@kyoyo/auth';
import { BookingsService, type RequestNotices } from '../bookings/bookings.service';
import type { Logger } from '@kyoyo/server-kit';
import type { PreferencesApplier } from '../notifications/notification-preferences';
import { NotificationsService } from '../notifications/notifications.service';
import type { DuplicateChecksRepository } from '../duplicate-checks/duplicate-checks.repository';
import { DuplicateChecksService } from '../duplicate-checks/duplicate-checks.service';
import type { InstitutionClient } from '../federation/institution-client';
import { createInstrumentCountLoader, InstitutionsService } from '../institutions/institutions.service';
import { createAvailabilityLoader, createInstrumentLoader, createUtilizationLoader } from '../instruments/instruments.loaders';
import { InstrumentsService, type CatalogueReads } from '../instruments/instruments.service';
import { ListingsService } from '../listings/listings.service';
import type { InstitutionRegistry } from '../registry/registry';
import { ReportsService } from '../reports/reports.service';
import type { RolesService } from '../roles/roles.service';
import type { CalendarFeedsService } from '../calendar/calendar-feeds.service';
import { createBlackoutsLoader, SchedulesService } from '../schedules/schedules.service';
import { WaitlistsService } from '../waitlists/waitlists.service';

/** Everything a gateway resolver may use for one request. */
export interface GatewayContext {
  identity: Identity | null;
  requestId: string;
  logger: Logger;
  institutions: InstitutionsService;
  instruments: InstrumentsService;
  listings: ListingsService;
  bookings: BookingsService;
  schedules: SchedulesService;
  duplicateChecks: DuplicateChecksService;
  reports: ReportsService;
  /** The roles Kyoyo keeps: grants, revocations, history. */
  roles: RolesService;
  /** Personal calendar feeds: their secret URLs. */
  calendarFeeds: CalendarFeedsService;
  /** Waiting for booked periods, held by the owning institutions. */
  waitlists: WaitlistsService;
  /** E-mail: the caller's choices, and an institution's outbox. */
  notifications: NotificationsService;
  /** The national catalogue: search and how current each institution's part is. */
  catalogue: CatalogueReads;
  /** How current each institution's part of the catalogue is, read once per request. */
  freshness: () => ReturnType<CatalogueReads['freshness']['all']>;
  loaders: {
    availability: ReturnType<typeof createAvailabilityLoader>;
    utilization: ReturnType<typeof createUtilizationLoader>;
    blackouts: ReturnType<typeof createBlackoutsLoader>;
  };
  /** What the response should tell besides its data (see `responseNotices`). */
  notices: RequestNotices;
}

/** Loaders and services are built fresh for every request, so batching and caching never cross users. */
export function createContextFactory(
  registry: InstitutionRegistry,
  client: InstitutionClient,
  checks: DuplicateChecksRepository,
  logger: Logger,
  catalogue: CatalogueReads,
  roles: RolesService,
  calendarFeeds: CalendarFeedsService,
  preferences: PreferencesApplier,
) {
  return (identity: Identity | null, requestId: string): GatewayContext => {
    const call = { identity, requestId };
    const notices: RequestNotices = { unavailableInstitutions: new Set() };
    let freshness: ReturnType<CatalogueReads['freshness']['all']> | undefined;
    return {
      identity,
      requestId,
      logger: logger.child({ rid: requestId }),
      institutions: new InstitutionsService(registry, createInstrumentCountLoader(registry, client, call)),
      instruments: new InstrumentsService(registry, client, call, createInstrumentLoader(client, call), catalogue),
      listings: new ListingsService(registry, client, call),
      bookings: new BookingsService(registry, client, call, notices),
      schedules: new SchedulesService(registry, client, call),
      duplicateChecks: new DuplicateChecksService(registry, catalogue.equivalents, catalogue.freshness, checks, notices),
      reports: new ReportsService(registry, client, call, notices, new Date(), catalogue.reports, catalogue.freshness),
      roles,
      calendarFeeds,
      waitlists: new WaitlistsService(registry, client, call, notices),
      notifications: new NotificationsService(registry, client, call, preferences, notices),
      catalogue,
      freshness: () => (freshness ??= catalogue.freshness.all()),
      loaders: {
        availability: createAvailabilityLoader(client, call),
        utilization: createUtilizationLoader(client, call),
        blackouts: createBlackoutsLoader(client, call),
      },
      notices,
    };
  };
}
