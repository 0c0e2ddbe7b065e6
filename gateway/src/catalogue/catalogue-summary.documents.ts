/** The owner's summary that reconciliation compares the catalogue with (`catalogueSummary` of an equipment service). */

export const CATALOGUE_SUMMARY = /* GraphQL */ `
  query CatalogueSummary($after: String!) {
    catalogueSummary(after: $after) {
      listings
      busyPeriods
      checksum
      asOf
      epoch
      position
      current
    }
  }
`;

export interface CatalogueSummaryData {
  catalogueSummary: {
    listings: number;
    busyPeriods: number;
    checksum: string;
    asOf: string;
    epoch: string;
    position: string | null;
    current: boolean;
  };
}
