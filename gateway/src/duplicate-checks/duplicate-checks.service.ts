import { createHash, randomUUID } from 'node:crypto';
import { canOversee, requireOversight, requireSignedIn, type Identity } from '@kyoyo/auth';
import {
  canonicalJson,
  checkBatchSize,
  candidateTier,
  decideVerdict,
  decodeGlobalId,
  DomainError,
  encodeGlobalId,
  ErrorCode,
  haversineKm,
  isUsableBy,
  MAX_CANDIDATES,
  SHARING_THRESHOLD_YEN,
  usageReasons,
  validateProposal,
  type CandidateUse,
  type GeoPoint,
  type PurchaseProposal,
  type PurchaseProposalInput,
} from '@kyoyo/domain';
import type { RequestNotices } from '../bookings/bookings.service';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { InstitutionRegistry } from '../registry/registry';
import { EQUIVALENT_INSTRUMENTS, type EquivalentInstrumentsData, type ServiceEquivalent } from './duplicate-checks.documents';
import type { DuplicateChecksRepository, StoredCheck } from './duplicate-checks.repository';
import type { CanonicalCandidate, CanonicalCheck, DuplicateCheckView } from './duplicate-checks.types';

/**
 * Proposals per call to one institution: a batch goes to each institution in slices that fit its time budget
 * (2 s) even when every institution works at once on a 2-core machine (measured: up to 20 ms a proposal then).
 */
const PROBES_PER_CALL = 25;
/** Candidates asked of each institution per proposal: a single check wants the national best 10 exactly; a
 * batch asks 5 of each, which keeps its answers small and its national top 10 from at least 5 institutions' best. */
const PER_INSTITUTION_SINGLE = MAX_CANDIDATES;
const PER_INSTITUTION_BATCH = 5;

/** A candidate while a check is put together. */
interface Found {
  listing: FederatedInstrument;
  /** What the verdict reads of it. */
  use: CandidateUse;
  /** `candidateTier`: 0 decides a likely duplicate, 1 usable and similar, 2 the rest. */
  tier: 0 | 1 | 2;
  canonical: CanonicalCandidate;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Duplicate-purchase checks (DOMAIN.md): every institution scores its own instruments against the proposals
 * (the same formula everywhere), the gateway ranks them nationally, adds distance from the requesting
 * institution and whether the requester may use each, decides the verdict and stores an append-only record
 * with the SHA-256 digest of its canonical JSON.
 */
export class DuplicateChecksService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly repository: DuplicateChecksRepository,
    private readonly call: CallContext,
    private readonly notices: RequestNotices,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Checks one planned purchase and stores the record. */
  async check(input: PurchaseProposalInput, identity: Identity | null): Promise<DuplicateCheckView> {
    const [view] = await this.run([input], identity, () => 'input', null);
    return view!;
  }

  /** Checks up to 1,000 planned purchases as one batch: all validated before any institution is called, all stored or none. */
  async checkMany(inputs: readonly PurchaseProposalInput[], identity: Identity | null): Promise<DuplicateCheckView[]> {
    requireCheckRunner(identity);
    checkBatchSize(inputs.length, 'inputs');
    return this.run(inputs, identity, (i) => `inputs[${i}]`, randomUUID());
  }

  /** A stored check; null when there is none with this id. Funders and administrators, or the requesting institution's office. */
  async byId(id: string, identity: Identity | null): Promise<DuplicateCheckView | null> {
    requireCheckRunner(identity);
    const { localId } = decodeGlobalId(id, 'DuplicateCheck', 'id');
    if (!/^[0-9a-f-]{36}$/.test(localId)) return null;
    const stored = await this.repository.findById(localId);
    if (!stored) return null;
    requireOversight(identity, stored.institution);
    return viewOf(stored);
  }

  /**
   * Whether `digest` is the digest of the stored, unaltered check `id` (false when there is no such check). A
   * digest is SHA-256 in hex, any case, spaces around allowed; anything else is `BAD_USER_INPUT` on `digest`.
   */
  async verify(id: string, digest: string, identity: Identity | null): Promise<boolean> {
    requireCheckRunner(identity);
    const hex = digest.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'A digest is a SHA-256 digest: 64 hexadecimal characters', 'digest');
    }
    const check = await this.byId(id, identity);
    return !!check && check.intact && check.digest === hex;
  }

  /** The checks of a batch in submission order, for its CSV; `NOT_FOUND` when there is no such batch. */
  async batch(batchId: string, identity: Identity | null): Promise<DuplicateCheckView[]> {
    requireSignedIn(identity);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(batchId)) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'A batch id is the batchId of a checkDuplicatePurchases result', 'batch');
    }
    const stored = await this.repository.findByBatch(batchId);
    if (stored.length === 0) throw new DomainError(ErrorCode.NOT_FOUND, 'No batch has this id', 'batch');
    for (const institution of new Set(stored.map((s) => s.institution))) requireOversight(identity, institution);
    return stored.map(viewOf);
  }

  private async run(
    inputs: readonly PurchaseProposalInput[],
    identity: Identity | null,
    fieldOf: (index: number) => string,
    batchId: string | null,
  ): Promise<DuplicateCheckView[]> {
    // Researchers never may: refuse them before reading their input. Each proposal's institution is checked next.
    const who = requireCheckRunner(identity);
    const proposals = inputs.map((input, i) => {
      const proposal = validateProposal(input, fieldOf(i));
      try {
        requireOversight(who, proposal.institution);
      } catch (error) {
        throw new DomainError(ErrorCode.FORBIDDEN, (error as Error).message, `${fieldOf(i)}.institution`);
      }
      this.registry.requireMember(proposal.institution, `${fieldOf(i)}.institution`);
      return proposal;
    });
    const found = await this.findEverywhere(proposals, batchId === null ? PER_INSTITUTION_SINGLE : PER_INSTITUTION_BATCH);
    // A check that no institution answered covers nothing: refuse the request (nothing stored) rather than
    // store a verdict about an empty federation. Checks that some institutions answered list the others.
    const members = this.registry.all().length;
    const blind = found.findIndex((f) => members > 0 && f.unavailable.size === members);
    if (blind >= 0) {
      throw new DomainError(
        ErrorCode.INSTITUTION_UNAVAILABLE,
        `No institution answered for ${fieldOf(blind)}; nothing was stored, try again later`,
        fieldOf(blind),
      );
    }
    const checkedAt = this.clock();
    const stored = proposals.map((proposal, i) => this.record(proposal, found[i]!, who, checkedAt, batchId, i));
    await this.repository.insertAll(stored);
    return stored.map(viewOf);
  }

  /** Asks every institution for its equivalents of every proposal; per proposal, what was found and who did not answer. */
  private async findEverywhere(
    proposals: readonly PurchaseProposal[],
    perInstitution: number,
  ): Promise<{ found: Found[]; unavailable: Set<string> }[]> {
    const results = proposals.map(() => ({ found: [] as Found[], unavailable: new Set<string>() }));
    const probes = proposals.map((p) => ({
      title: p.title,
      category: p.category,
      manufacturer: p.manufacturer,
      model: p.model,
      keywords: p.keywords,
    }));
    await Promise.all(
      this.registry.all().map(async (institution) => {
        for (let start = 0; start < probes.length; start += PROBES_PER_CALL) {
          const slice = probes.slice(start, start + PROBES_PER_CALL);
          const ask = () =>
            this.client.request<EquivalentInstrumentsData>(
              institution.code,
              'EquivalentInstruments',
              EQUIVALENT_INSTRUMENTS,
              { probes: slice, limit: perInstitution },
              this.call,
            );
          try {
            // A read-only question: one retry is safe, and spares a batch one slow moment of one institution.
            const data = await ask().catch((error: unknown) => {
              if (error instanceof DomainError && error.code === ErrorCode.INSTITUTION_UNAVAILABLE) return ask();
              throw error;
            });
            data.equivalentInstruments.forEach((equivalents, offset) => {
              const index = start + offset;
              for (const e of equivalents) results[index]!.found.push(this.candidateOf(e, institution.code, proposals[index]!));
            });
          } catch (error) {
            if (!(error instanceof DomainError) || error.code !== ErrorCode.INSTITUTION_UNAVAILABLE) throw error;
            this.notices.unavailableInstitutions.add(institution.code);
            slice.forEach((_, offset) => results[start + offset]!.unavailable.add(institution.code));
          }
        }
      }),
    );
    return results;
  }

  private candidateOf(e: ServiceEquivalent, institution: string, proposal: PurchaseProposal): Found {
    const listing: FederatedInstrument = { ...e.instrument, institutionCode: institution };
    const here = this.registry.get(proposal.institution)?.location ?? null;
    const there: GeoPoint | null = e.instrument.location ?? this.registry.get(institution)?.location ?? null;
    const sameInstitution = institution === proposal.institution;
    const distanceKm = sameInstitution ? 0 : here && there ? round(haversineKm(here, there), 1) : null;
    const use: CandidateUse = {
      score: e.score,
      sameInstitution,
      sharedExternally: e.instrument.sharedExternally,
      remoteOperable: e.instrument.remoteOperable,
      distanceKm,
      spareHoursPerYear: e.spareHoursPerYear,
      utilization: e.utilization,
    };
    return {
      listing,
      use,
      tier: candidateTier(use, proposal.expectedHoursPerYear),
      canonical: {
        instrument: { id: encodeGlobalId('Instrument', institution, e.instrument.id), institution, name: e.instrument.name },
        score: e.score,
        reasons: [...e.reasons, ...usageReasons(use, proposal.expectedHoursPerYear)],
        distanceKm,
        utilization: round(e.utilization, 4),
        spareHoursPerYear: e.spareHoursPerYear,
        usableByRequester: isUsableBy(use),
      },
    };
  }

  private record(
    proposal: PurchaseProposal,
    result: { found: Found[]; unavailable: Set<string> },
    who: Identity,
    checkedAt: Date,
    batchId: string | null,
    position: number,
  ): StoredCheck {
    const ranked = [...result.found].sort((a, b) => a.tier - b.tier || byNationalRank(a, b)).slice(0, MAX_CANDIDATES);
    const localId = randomUUID();
    const canonical: CanonicalCheck = {
      id: encodeGlobalId('DuplicateCheck', proposal.institution, localId),
      checkedAt: checkedAt.toISOString(),
      checkedBy: who.id,
      threshold: SHARING_THRESHOLD_YEN,
      proposal,
      // Decided over everything found, not only the 10 listed (those that decide it are listed first anyway).
      verdict: decideVerdict(
        proposal.estimatedPrice,
        result.found.map((f) => f.use),
        proposal.expectedHoursPerYear,
      ),
      candidates: ranked.map((f) => f.canonical),
      unavailableInstitutions: [...result.unavailable].sort(),
    };
    const text = canonicalJson(canonical);
    return {
      id: localId,
      batchId,
      position,
      institution: proposal.institution,
      checkedBy: who.id,
      checkedAt,
      verdict: canonical.verdict,
      canonical: text,
      digest: sha256(text),
      record: { listings: ranked.map((f) => f.listing) },
    };
  }
}

/** Funders, administrators and facility offices run and read checks (which ones: `requireOversight` per institution). */
function requireCheckRunner(identity: Identity | null): Identity {
  const who = requireSignedIn(identity);
  if (!canOversee(who, who.institution)) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'Duplicate-purchase checks are for funders, administrators and facility offices');
  }
  return who;
}

/** Within a tier: higher score, then usable by the requester, then nearer, then by institution and id (a stable order). */
function byNationalRank(a: Found, b: Found): number {
  const x = a.canonical;
  const y = b.canonical;
  return (
    y.score - x.score ||
    Number(y.usableByRequester) - Number(x.usableByRequester) ||
    (x.distanceKm ?? Infinity) - (y.distanceKm ?? Infinity) ||
    (x.instrument.institution < y.instrument.institution ? -1 : x.instrument.institution > y.instrument.institution ? 1 : 0) ||
    Number(a.listing.id) - Number(b.listing.id)
  );
}

/**
 * What the API shows of a stored check: everything the digest covers is read back from the canonical text
 * itself (not from a copy beside it), so a record that shows a verdict is a record whose digest covers it.
 */
function viewOf(stored: StoredCheck): DuplicateCheckView {
  const canonical = JSON.parse(stored.canonical) as CanonicalCheck;
  const listings = new Map(stored.record.listings.map((l) => [encodeGlobalId('Instrument', l.institutionCode, l.id), l]));
  return {
    ...canonical,
    batchId: stored.batchId,
    digest: stored.digest,
    canonical: stored.canonical,
    intact: sha256(stored.canonical) === stored.digest,
    listings: canonical.candidates.map((c) => listings.get(c.instrument.id) ?? null),
  };
}
