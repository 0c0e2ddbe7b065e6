import type { GeoPoint } from '@kyoyo/domain';

/** A member institution as the gateway's registry holds it. */
export interface RegisteredInstitution {
  code: string;
  name: string;
  nameEn: string | null;
  prefecture: string;
  location: GeoPoint | null;
  /** Base URL of its equipment service. */
  serviceUrl: string;
}

export type Health = 'UP' | 'DOWN';
