import { errors } from '@kyoyo/domain';

/**
 * Operations of the public contract whose implementation lands with a later issue. They answer a clear
 * `NOT_IMPLEMENTED` error naming that issue instead of a made-up result.
 */
const pending = (operation: string, issue: number) => () => {
  throw errors.notImplemented(operation, issue);
};

export const pendingResolvers = {
  Mutation: {
    importInstruments: pending('importInstruments', 7),
  },
};
