import type { PurchaseProposalInput } from '@kyoyo/domain';
import type { GatewayContext } from '../common/context';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { CanonicalCandidate, DuplicateCheckView } from './duplicate-checks.types';

type CandidateView = CanonicalCandidate & { listing: FederatedInstrument | null };

const institutionOf = (code: string, ctx: GatewayContext) => ctx.institutions.getOrFormer(code);

/** Thin: arguments in, service call, result out. */
export const duplicateChecksResolvers = {
  Query: {
    duplicateCheck: (_: unknown, args: { id: string }, ctx: GatewayContext) => ctx.duplicateChecks.byId(args.id, ctx.identity),
    verifyDuplicateCheck: (_: unknown, args: { id: string; digest: string }, ctx: GatewayContext) =>
      ctx.duplicateChecks.verify(args.id, args.digest, ctx.identity),
  },
  Mutation: {
    checkDuplicatePurchase: (_: unknown, args: { input: PurchaseProposalInput }, ctx: GatewayContext) =>
      ctx.duplicateChecks.check(args.input, ctx.identity),
    checkDuplicatePurchases: (_: unknown, args: { inputs: PurchaseProposalInput[] }, ctx: GatewayContext) =>
      ctx.duplicateChecks.checkMany(args.inputs, ctx.identity),
  },
  DuplicateCheck: {
    checkedAt: (c: DuplicateCheckView) => new Date(c.checkedAt),
    candidates: (c: DuplicateCheckView): CandidateView[] =>
      c.candidates.map((candidate, i) => ({ ...candidate, listing: c.listings[i] ?? null })),
    unavailableInstitutions: (c: DuplicateCheckView, _: unknown, ctx: GatewayContext) =>
      c.unavailableInstitutions.map((code) => institutionOf(code, ctx)),
    staleInstitutions: (c: DuplicateCheckView, _: unknown, ctx: GatewayContext) =>
      (c.staleInstitutions ?? []).map((s) => ({
        institution: institutionOf(s.institution, ctx),
        catalogueCurrentTo: new Date(s.currentTo),
      })),
    canonicalRecord: (c: DuplicateCheckView) => c.canonical,
    digestVerified: (c: DuplicateCheckView) => c.intact,
  },
  PurchaseProposal: {
    institution: (p: { institution: string }, _: unknown, ctx: GatewayContext) => institutionOf(p.institution, ctx),
  },
  DuplicateCandidate: {
    /** The listing as it was when checked (the live one should a record not hold it). */
    instrument: (c: CandidateView, _: unknown, ctx: GatewayContext) => c.listing ?? ctx.instruments.byGlobalId(c.instrument.id),
  },
};
