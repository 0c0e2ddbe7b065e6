import { createHash, randomUUID } from 'node:crypto';
import { canOversee, requireOversight, requireSignedIn, type Identity } from '@kyoyo/auth';
import {
  canonicalJson,
  checkBatchSize,
  candidateTier,
  compareEquivalence,
  decideVerdict,
  decodeGlobalId,
  DomainError,
  encodeGlobalId,
  equivalenceProfile,
  ErrorCode,
  haversineKm,
  isUsableBy,
  MAX_CANDIDATES,
  MIN_CANDIDATE_SCORE,
  normalizeText,
  openAndHeldMinutes,
  SHARING_THRESHOLD_YEN,
  usageReasons,
  validateProposal,
  type CandidateUse,
  type EquivalenceProfile,
  type GeoPoint,
  type PurchaseProposal,
  type PurchaseProposalInput,
  type TimeRange,
} from '@kyoyo/domain';
import type { RequestNotices } from '../bookings/bookings.service';
import { catalogueKeyOf, type CatalogueEquivalentsRepository } from '../catalogue/catalogue-equivalents.repository';
import type { CatalogueFreshness } from '../catalogue/catalogue.freshness';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { InstitutionRegistry } from '../registry/registry';
import type { DuplicateChecksRepository, StoredCheck } from './duplicate-checks.repository';
import type { CanonicalCandidate, CanonicalCheck, DuplicateCheckView } from './duplicate-checks.types';

/**
 * Candidates read from the catalogue per proposal before scoring, nationally: twice what one institution read
 * of its own listings when each was asked, since the nation's listings now compete for the same places.
 */
const CANDIDATES_FETCHED = 200;
/**
 * Scored candidates per proposal that the verdict weighs (and whose use is read): the best 50, as many as a
 * batch used to gather from ten institutions' best five. The record lists the national best 10 of them.
 */
const CANDIDATES_WEIGHED = 50;
/** Utilisation is read over the last 365 days, as at the owners. */
const YEAR_MS = 365 * 86_400_000;

/** A candidate while a check is put together. */
interface Found {
  listing: FederatedInstrument;
  /** What the verdict reads of it. */
  use: CandidateUse;
  /** `candidateTier`: 0 decides a likely duplicate, 1 usable and similar, 2 the rest. */
  tier: 0 | 1 | 2;
  canonical: CanonicalCandidate;
}

/** A candidate scored against one proposal, before its use is read. */
interface Scored {
  listing: FederatedInstrument;
  score: number;
  reasons: string[];
}

/** Open and held hours over the last year, from the catalogue's open hours and held bookings. */
interface Load {
  utilization: number;
  spareHoursPerYear: number;
}

/** What the catalogue could tell about each proposal: candidates, and members it holds nothing of yet. */
interface Findings {
  found: Found[];
  unavailable: Set<string>;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Duplicate-purchase checks (DOMAIN.md), answered from the national catalogue: candidates for every proposal
 * across the nation in one read (no institution is waited for), scored with `compareEquivalence` (the same
 * formula the services use), with each one's use over the last year from the replicated open hours and held
 * bookings, distance from the requesting institution and whether the requester may use it. The gateway
 * decides the verdict and stores an append-only record with the SHA-256 digest of its canonical JSON, which
 * names the institutions whose part of the catalogue was older than the freshness threshold, with its time.
 */
export class DuplicateChecksService {
  /** Profiles of catalogue listings, for this request (a batch meets the same instruments again and again). */
  private readonly profiles = new Map<string, EquivalenceProfile>();

  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly catalogue: CatalogueEquivalentsRepository,
    private readonly freshness: CatalogueFreshness,
    private readonly repository: DuplicateChecksRepository,
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
    const checkedAt = this.clock();
    const freshness = await this.freshness.all(checkedAt);
    // Members the catalogue holds nothing of yet (never harvested) are not covered: listed as unavailable.
    // A check that covers no member at all is refused (nothing stored) rather than stored as a verdict
    // about an empty federation.
    const members = this.registry.all();
    const unavailable = new Set(members.filter((m) => !freshness.get(m.code)?.currentTo).map((m) => m.code));
    if (members.length > 0 && unavailable.size === members.length) {
      throw new DomainError(
        ErrorCode.INSTITUTION_UNAVAILABLE,
        'The national catalogue holds no institution yet; nothing was stored, try again later',
        fieldOf(0),
      );
    }
    for (const code of unavailable) this.notices.unavailableInstitutions.add(code);
    const stale = members
      .flatMap((m) => {
        const f = freshness.get(m.code);
        return f?.currentTo && f.stale ? [{ institution: m.code, currentTo: f.currentTo.toISOString() }] : [];
      })
      .sort((a, b) => (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0));
    const found = await this.findInCatalogue(proposals, checkedAt);
    const stored = proposals.map((proposal, i) =>
      this.record(proposal, { found: found[i]!, unavailable, stale }, who, checkedAt, batchId, i),
    );
    await this.repository.insertAll(stored);
    return stored.map(viewOf);
  }

  /**
   * Per proposal, its best candidates in the catalogue with their use: one read of candidates for the whole
   * batch, scoring here, then one read of the held bookings of every candidate kept.
   */
  private async findInCatalogue(proposals: readonly PurchaseProposal[], now: Date): Promise<Found[][]> {
    const wanted = proposals.map((p) => equivalenceProfile({ ...p, name: p.title }));
    const fetched = await this.catalogue.candidates(
      proposals.map((p, i) => ({ modelKeys: wanted[i]!.models.map((m) => m.key), text: normalizeText(p.title) })),
      CANDIDATES_FETCHED,
    );
    const scored = fetched.map((listings, i): Scored[] =>
      listings
        .map((listing) => ({ listing, ...compareEquivalence(wanted[i]!, this.profileOf(listing), proposals[i]!.keywords) }))
        .filter((c) => c.score >= MIN_CANDIDATE_SCORE)
        .sort((a, b) => b.score - a.score || byInstitutionAndId(a.listing, b.listing))
        .slice(0, CANDIDATES_WEIGHED),
    );
    const loads = await this.loadsOf(
      scored.flat().map((c) => c.listing),
      { start: new Date(now.getTime() - YEAR_MS), end: now },
    );
    return scored.map((candidates, i) => candidates.map((c) => this.candidateOf(c, loads.get(keyOf(c.listing))!, proposals[i]!)));
  }

  private profileOf(listing: FederatedInstrument): EquivalenceProfile {
    const key = keyOf(listing);
    let profile = this.profiles.get(key);
    if (!profile) {
      profile = equivalenceProfile(listing);
      this.profiles.set(key, profile);
    }
    return profile;
  }

  /** Utilisation and spare hours of each listing over `window` (booked inside open hours), keyed `institution/id`. */
  private async loadsOf(listings: readonly FederatedInstrument[], window: TimeRange): Promise<Map<string, Load>> {
    const unique = new Map(listings.map((l) => [keyOf(l), l]));
    const held = await this.catalogue.heldPeriods(
      [...unique.values()].map((l) => ({ institution: l.institutionCode, id: Number(l.id) })),
      window,
    );
    const loads = new Map<string, Load>();
    for (const [key, listing] of unique) {
      const { openMinutes, heldMinutes } = openAndHeldMinutes(listing.openHours ?? [], window, held.get(key) ?? []);
      loads.set(key, {
        utilization: openMinutes === 0 ? 0 : heldMinutes / openMinutes,
        spareHoursPerYear: Math.round(((openMinutes - heldMinutes) / 60) * 10) / 10,
      });
    }
    return loads;
  }

  private candidateOf(c: Scored, load: Load, proposal: PurchaseProposal): Found {
    const { listing } = c;
    const institution = listing.institutionCode;
    const here = this.registry.get(proposal.institution)?.location ?? null;
    const there: GeoPoint | null = listing.location ?? this.registry.get(institution)?.location ?? null;
    const sameInstitution = institution === proposal.institution;
    const distanceKm = sameInstitution ? 0 : here && there ? round(haversineKm(here, there), 1) : null;
    const use: CandidateUse = {
      score: c.score,
      sameInstitution,
      sharedExternally: listing.sharedExternally,
      remoteOperable: listing.remoteOperable,
      distanceKm,
      spareHoursPerYear: load.spareHoursPerYear,
      utilization: load.utilization,
    };
    return {
      listing,
      use,
      tier: candidateTier(use, proposal.expectedHoursPerYear),
      canonical: {
        instrument: { id: encodeGlobalId('Instrument', institution, listing.id), institution, name: listing.name },
        score: c.score,
        reasons: [...c.reasons, ...usageReasons(use, proposal.expectedHoursPerYear)],
        distanceKm,
        utilization: round(load.utilization, 4),
        spareHoursPerYear: load.spareHoursPerYear,
        usableByRequester: isUsableBy(use),
      },
    };
  }

  private record(
    proposal: PurchaseProposal,
    result: Findings & { stale: { institution: string; currentTo: string }[] },
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
      staleInstitutions: result.stale,
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

const keyOf = (listing: FederatedInstrument) => catalogueKeyOf({ institution: listing.institutionCode, id: Number(listing.id) });

const byInstitutionAndId = (a: FederatedInstrument, b: FederatedInstrument) =>
  (a.institutionCode < b.institutionCode ? -1 : a.institutionCode > b.institutionCode ? 1 : 0) || Number(a.id) - Number(b.id);

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
