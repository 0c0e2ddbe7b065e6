import { requireOversight, type Identity } from '@kyoyo/auth';
import {
  checkBatchSize,
  compareEquivalence,
  equivalenceProfile,
  errors,
  MIN_CANDIDATE_SCORE,
  normalizeText,
  openAndHeldMinutes,
  validateProposalDescription,
  type EquivalenceProfile,
  type ProposalDescription,
  type TimeRange,
} from '@kyoyo/domain';
import type { AvailabilityRepository } from '../availability/availability.repository';
import type { InstrumentsRepository } from '../instruments/instruments.repository';
import type { Instrument } from '../instruments/instruments.types';

/** A planned purchase as the gateway describes it to each institution. */
export type EquivalenceProbe = Pick<ProposalDescription, 'title'> & Partial<Omit<ProposalDescription, 'title'>>;

/** An instrument here that may make a planned purchase unnecessary, with how much it is used. */
export interface EquivalentInstrument {
  instrument: Instrument;
  score: number;
  reasons: string[];
  utilization: number;
  spareHoursPerYear: number;
}

/** Most candidates fetched per probe before scoring; scoring keeps the best `limit`. */
const CANDIDATES_FETCHED = 100;
/** Most candidates one probe may ask for. */
const MAX_LIMIT = 50;
const YEAR_MS = 365 * 86_400_000;

/** Booked and open minutes of one instrument over a window. */
interface Load {
  openMinutes: number;
  bookedMinutes: number;
}

/**
 * Finds this institution's equivalents of planned purchases: the trigram indexes fetch candidates by model
 * key and name likeness, `compareEquivalence` scores them (the same formula everywhere, so the gateway can
 * rank nationally), and each kept candidate carries its last 365 days of use.
 */
export class DuplicatesService {
  private readonly profiles = new Map<number, EquivalenceProfile>();

  constructor(
    private readonly instruments: InstrumentsRepository,
    private readonly availability: AvailabilityRepository,
    private readonly now: Date,
  ) {}

  async equivalents(
    probes: readonly EquivalenceProbe[],
    limit: number,
    identity: Identity | null,
  ): Promise<EquivalentInstrument[][]> {
    // Funders and administrators, or any facility office: a check for one institution looks at every other.
    requireOversight(identity, identity?.institution ?? null);
    checkBatchSize(probes.length, 'probes');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw errors.badInput('limit', `limit must be from 1 to ${MAX_LIMIT}`);
    const checked = probes.map((p, i) => validateProposalDescription(p, `probes[${i}]`));
    const profiles = checked.map((p) => equivalenceProfile({ ...p, name: p.title }));
    const fetched = await this.instruments.equivalenceCandidates(
      profiles.map((profile, i) => ({ modelKeys: profile.models.map((m) => m.key), text: normalizeText(checked[i]!.title) })),
      CANDIDATES_FETCHED,
    );
    const scored = fetched.map((rows, i) =>
      rows
        .map((instrument) => ({
          instrument,
          ...compareEquivalence(profiles[i]!, this.profileOf(instrument), checked[i]!.keywords),
        }))
        .filter((c) => c.score >= MIN_CANDIDATE_SCORE)
        .sort((a, b) => b.score - a.score || a.instrument.id - b.instrument.id)
        .slice(0, limit),
    );
    const window = { start: new Date(this.now.getTime() - YEAR_MS), end: this.now };
    const loads = await this.loads([...new Set(scored.flat().map((c) => c.instrument.id))], window);
    return scored.map((candidates) =>
      candidates.map(({ instrument, score, reasons }) => {
        const load = loads.get(instrument.id) ?? { openMinutes: 0, bookedMinutes: 0 };
        return {
          instrument,
          score,
          reasons,
          utilization: load.openMinutes === 0 ? 0 : load.bookedMinutes / load.openMinutes,
          spareHoursPerYear: Math.round(((load.openMinutes - load.bookedMinutes) / 60) * 10) / 10,
        };
      }),
    );
  }

  private profileOf(instrument: Instrument): EquivalenceProfile {
    let profile = this.profiles.get(instrument.id);
    if (!profile) {
      profile = equivalenceProfile(instrument);
      this.profiles.set(instrument.id, profile);
    }
    return profile;
  }

  /** Open and booked minutes (booked inside open hours) of each instrument over `window`: one query per kind of data. */
  private async loads(ids: number[], window: TimeRange): Promise<Map<number, Load>> {
    const [hours, booked] = await Promise.all([
      this.availability.openHoursOf(ids),
      this.availability.bookedPeriodsOf(ids, window),
    ]);
    return new Map(
      ids.map((id) => {
        const { openMinutes, heldMinutes } = openAndHeldMinutes(hours.get(id) ?? [], window, booked.get(id) ?? []);
        return [id, { openMinutes, bookedMinutes: heldMinutes }];
      }),
    );
  }
}
