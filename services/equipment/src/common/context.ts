import type { Identity } from '@kyoyo/auth';
import type { Logger } from '@kyoyo/server-kit';
import {
  createBlackoutsLoader,
  createBookedPeriodsLoader,
  createBusyPeriodsLoader,
  createOpenHoursLoader,
} from '../availability/availability.loaders';
import { AvailabilityRepository } from '../availability/availability.repository';
import { AvailabilityService } from '../availability/availability.service';
import { BookingsRepository } from '../bookings/bookings.repository';
import { BookingsService } from '../bookings/bookings.service';
import { ChangeFeedRepository } from '../change-feed/change-feed.repository';
import { ChangeFeedService } from '../change-feed/change-feed.service';
import { ChangeFeedSummaryRepository } from '../change-feed/change-feed-summary.repository';
import { ChangeFeedSummaryService } from '../change-feed/change-feed-summary.service';
import type { ChangeNotifier } from '../change-feed/change-feed.notifier';
import { QualificationsRepository } from '../bookings/qualifications.repository';
import { QualificationsService } from '../bookings/qualifications.service';
import { DuplicatesService } from '../duplicates/duplicates.service';
import { createFeeScheduleLoader } from '../fees/fees.loaders';
import { FeesRepository } from '../fees/fees.repository';
import { createInstrumentLoader } from '../instruments/instruments.loaders';
import { InstrumentsRepository, type EquipmentDb } from '../instruments/instruments.repository';
import { InstrumentsService } from '../instruments/instruments.service';
import { ListingsRepository } from '../listings/listings.repository';
import { ListingsService } from '../listings/listings.service';
import type { BookingNotices } from '../notifications/booking-notices';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { ReportsRepository } from '../reports/reports.repository';
import { ReportsService } from '../reports/reports.service';
import { WaitlistsRepository } from '../waitlists/waitlists.repository';
import { WaitlistsService } from '../waitlists/waitlists.service';

/** Everything a resolver may use for one request. */
export interface EquipmentContext {
  institution: string;
  /** The end user the gateway vouches for; null for an anonymous caller. */
  identity: Identity | null;
  requestId: string;
  logger: Logger;
  instruments: InstrumentsService;
  listings: ListingsService;
  availability: AvailabilityService;
  bookings: BookingsService;
  qualifications: QualificationsService;
  duplicates: DuplicatesService;
  reports: ReportsService;
  changeFeed: ChangeFeedService;
  /** The owner's side of the catalogue's reconciliation. */
  catalogueSummary: ChangeFeedSummaryService;
  /** The facility office's view of the institution's e-mail. */
  notifications: NotificationsService;
  /** Who waits for which booked periods. */
  waitlists: WaitlistsService;
}

/** Reads the time; tests pass their own to put "now" where a rule needs it. */
export type Clock = () => Date;

/** What the requests of a running service share beyond the database. */
export interface ContextOptions {
  /** Where every request reads "now" (default: the system clock). */
  clock?: Clock;
  /** Wakes the change feed's long polls (none: they poll). */
  notifier?: ChangeNotifier | null;
  changeRetentionDays?: number;
  /** Writes the messages of booking events to the outbox (none: nothing is written). */
  notices?: BookingNotices | null;
}

/**
 * Repositories are stateless and shared; loaders and services are built fresh for every request, and every
 * service of one request shares one clock reading.
 */
export function createContextFactory(db: EquipmentDb, institution: string, logger: Logger, options: ContextOptions = {}) {
  const { clock = () => new Date(), notifier = null, changeRetentionDays, notices = null } = options;
  const instrumentsRepository = new InstrumentsRepository(db);
  const feesRepository = new FeesRepository(db);
  const availabilityRepository = new AvailabilityRepository(db);
  const bookingsRepository = new BookingsRepository(db);
  const qualificationsRepository = new QualificationsRepository(db);
  const reportsRepository = new ReportsRepository(db);
  const listingsRepository = new ListingsRepository(db);
  const waitlistsRepository = new WaitlistsRepository(db);
  const changeFeed = new ChangeFeedService(new ChangeFeedRepository(db), changeRetentionDays, notifier);
  const catalogueSummary = new ChangeFeedSummaryService(new ChangeFeedSummaryRepository(db));
  const notifications = new NotificationsService(institution, new NotificationsRepository(db), db);
  return (identity: Identity | null, requestId: string): EquipmentContext => {
    const now = clock();
    const instrumentLoader = createInstrumentLoader(instrumentsRepository);
    const feeLoader = createFeeScheduleLoader(feesRepository);
    const openHoursLoader = createOpenHoursLoader(availabilityRepository);
    const availability = new AvailabilityService(
      institution,
      availabilityRepository,
      {
        openHours: openHoursLoader,
        busy: createBusyPeriodsLoader(availabilityRepository),
        booked: createBookedPeriodsLoader(availabilityRepository),
        blackouts: createBlackoutsLoader(availabilityRepository),
      },
      now,
    );
    return {
      institution,
      identity,
      requestId,
      logger: logger.child({ rid: requestId }),
      instruments: new InstrumentsService(instrumentsRepository, instrumentLoader, feeLoader, availability, now),
      listings: new ListingsService(institution, listingsRepository, { instrument: instrumentLoader, fees: feeLoader }, now),
      availability,
      bookings: new BookingsService(
        institution,
        bookingsRepository,
        qualificationsRepository,
        { instrument: instrumentLoader, openHours: openHoursLoader, fees: feeLoader },
        now,
        notices,
      ),
      qualifications: new QualificationsService(institution, qualificationsRepository, instrumentLoader, now),
      duplicates: new DuplicatesService(instrumentsRepository, availabilityRepository, now),
      reports: new ReportsService(institution, reportsRepository, openHoursLoader, now),
      changeFeed,
      catalogueSummary,
      notifications,
      waitlists: new WaitlistsService(
        institution,
        waitlistsRepository,
        { instrument: instrumentLoader, openHours: openHoursLoader, fees: feeLoader },
        now,
      ),
    };
  };
}
