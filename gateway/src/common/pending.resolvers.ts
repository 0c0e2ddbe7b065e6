import { errors } from '@kyoyo/domain';

/**
 * Operations of the public contract whose implementation lands with a later issue. They answer a clear
 * `NOT_IMPLEMENTED` error naming that issue instead of a made-up result.
 */
const pending = (operation: string, issue: number) => () => {
  throw errors.notImplemented(operation, issue);
};

export const pendingResolvers = {
  Query: {
    quoteBooking: pending('quoteBooking', 4),
    booking: pending('booking', 4),
    myBookings: pending('myBookings', 4),
    institutionBookings: pending('institutionBookings', 4),
    duplicateCheck: pending('duplicateCheck', 5),
    sharingReport: pending('sharingReport', 5),
  },
  Mutation: {
    createBooking: pending('createBooking', 4),
    cancelBooking: pending('cancelBooking', 4),
    decideBooking: pending('decideBooking', 4),
    grantQualification: pending('grantQualification', 4),
    checkDuplicatePurchase: pending('checkDuplicatePurchase', 5),
    checkDuplicatePurchases: pending('checkDuplicatePurchases', 5),
    importInstruments: pending('importInstruments', 7),
  },
};
