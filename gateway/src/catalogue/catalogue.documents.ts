/** The change-feed operations of an equipment service the harvester calls, and what they answer. */

const LISTING_FIELDS = /* GraphQL */ `
  instrument {
    id
    localId
    name
    nameEn
    category
    manufacturer
    model
    description
    acquisitionPrice
    acquiredOn
    building
    location {
      latitude
      longitude
    }
    sharedExternally
    remoteOperable
    requiresApproval
    requiresQualification
    maxBookingMinutes
    cancellationFreeHours
    cancellationFeePercent
  }
  fees {
    userCategory
    mode
    hourlyRate
    billingUnitMinutes
    minimumCharge
  }
  openHours {
    weekday
    opensAt
    closesAt
  }
  closures {
    id
    start
    end
  }
  version
`;

export const CATALOGUE_CHANGES = /* GraphQL */ `
  query CatalogueChanges($after: String, $first: Int!, $waitMs: Int!) {
    catalogueChanges(after: $after, first: $first, waitMs: $waitMs) {
      listings { ${LISTING_FIELDS} }
      removedListings { id version }
      busyPeriods { id instrumentId start end held external version }
      removedBusyPeriods { id version }
      cursor
      hasMore
      asOf
    }
  }
`;

export const CATALOGUE_SNAPSHOT = /* GraphQL */ `
  query CatalogueSnapshot($after: ID, $first: Int!) {
    catalogueSnapshot(after: $after, first: $first) {
      listings { ${LISTING_FIELDS} }
      busyPeriods { id instrumentId start end held external version }
      next
      cursor
      asOf
    }
  }
`;

/** A listing as a feed page carries it (JSON: dates as ISO text). Checked before it is applied. */
export interface WireListing {
  instrument: {
    id: string;
    localId: string;
    name: string;
    nameEn: string | null;
    category: string;
    manufacturer: string | null;
    model: string | null;
    description: string | null;
    acquisitionPrice: number | null;
    acquiredOn: string | null;
    building: string | null;
    location: { latitude: number; longitude: number } | null;
    sharedExternally: boolean;
    remoteOperable: boolean;
    requiresApproval: boolean;
    requiresQualification: boolean;
    maxBookingMinutes: number;
    cancellationFreeHours: number;
    cancellationFeePercent: number;
  };
  fees: { userCategory: string; mode: string; hourlyRate: number; billingUnitMinutes: number; minimumCharge: number }[];
  openHours: { weekday: number; opensAt: number; closesAt: number }[];
  closures: { id: string; start: string; end: string }[];
  version: string;
}

export interface WireBusyPeriod {
  id: string;
  instrumentId: string;
  start: string;
  end: string;
  held: boolean;
  external: boolean;
  version: string;
}

export interface WireRemoval {
  id: string;
  version: string;
}

export interface CatalogueChangesData {
  catalogueChanges: {
    listings: WireListing[];
    removedListings: WireRemoval[];
    busyPeriods: WireBusyPeriod[];
    removedBusyPeriods: WireRemoval[];
    cursor: string;
    hasMore: boolean;
    asOf: string;
  };
}

export interface CatalogueSnapshotData {
  catalogueSnapshot: {
    listings: WireListing[];
    busyPeriods: WireBusyPeriod[];
    next: string | null;
    cursor: string;
    asOf: string;
  };
}
