/** The reporting operations the gateway sends to equipment services, and the shapes they answer with. */
import type { SharingTotals, Yen } from '@kyoyo/domain';
import { INSTRUMENT_FIELDS, type ServiceInstrument } from '../instruments/instruments.documents';

/** An institution's sharing figures, its not-shared instruments with the gateway's usual instrument fields. */
export const SHARING_STATS = `query SharingStats($fiscalYear: Int!) {
  sharingStats(fiscalYear: $fiscalYear) {
    fiscalYear from to threshold instrumentsAtOrAboveThreshold sharedAtOrAboveThreshold
    bookedHours externalBookedHours openHours bookedOpenHours
    notShared { ${INSTRUMENT_FIELDS} } } }`;

/** One institution's part of a sharing report as its service returns it. */
export interface ServiceSharingStats extends SharingTotals {
  fiscalYear: number;
  from: string;
  to: string;
  threshold: Yen;
  notShared: ServiceInstrument[];
}

export interface SharingStatsData {
  sharingStats: ServiceSharingStats;
}
