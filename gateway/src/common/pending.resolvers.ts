import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import { errors } from '@kyoyo/domain';
import type { GatewayContext } from './context';

/**
 * Operations of the public contract whose implementation lands with a later issue. They check who may call
 * them first, exactly as the finished operation will (so the wrong caller is refused today, not told "later"),
 * then answer a clear `NOT_IMPLEMENTED` error naming that issue instead of a made-up result.
 */
const pending =
  <Args>(operation: string, issue: number, authorize: (args: Args, identity: Identity | null) => unknown) =>
  (_: unknown, args: Args, ctx: GatewayContext): never => {
    authorize(args, ctx.identity);
    throw errors.notImplemented(operation, issue);
  };

export const pendingResolvers = {
  Mutation: {
    /** Facility office of the institution, or ADMIN (as `upsertInstrument`). */
    importInstruments: pending('importInstruments', 7, (args: { institution: string }, identity) =>
      requireInstitutionManager(identity, args.institution),
    ),
  },
};
