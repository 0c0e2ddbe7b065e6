/** The open-hours and blackout operations the gateway sends to equipment services. */
import type { OpenHoursRule } from '@kyoyo/domain';

/** A blackout as a service returns it (ids are the institution's local ids). */
export interface ServiceBlackout {
  id: string;
  instrumentId: string;
  start: string;
  end: string;
  reason: string | null;
  createdBy: string;
}

const BLACKOUT_FIELDS = 'id instrumentId start end reason createdBy';

export const BLACKOUTS_BY_IDS = `query BlackoutsByIds($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  instruments(ids: $ids) { id blackouts(from: $from, to: $to) { ${BLACKOUT_FIELDS} } } }`;
export interface BlackoutsByIdsData {
  instruments: ({ id: string; blackouts: ServiceBlackout[] } | null)[];
}

export const SET_OPEN_HOURS = `mutation SetOpenHours($instrumentId: ID!, $hours: [OpenHoursInput!]!) {
  setOpenHours(instrumentId: $instrumentId, hours: $hours) { weekday opensAt closesAt } }`;
export interface SetOpenHoursData {
  setOpenHours: OpenHoursRule[];
}

export const ADD_BLACKOUT = `mutation AddBlackout($instrumentId: ID!, $start: DateTime!, $end: DateTime!, $reason: String) {
  addBlackout(instrumentId: $instrumentId, start: $start, end: $end, reason: $reason) { ${BLACKOUT_FIELDS} } }`;
export interface AddBlackoutData {
  addBlackout: ServiceBlackout;
}

export const REMOVE_BLACKOUT = `mutation RemoveBlackout($id: ID!) { removeBlackout(id: $id) }`;
export interface RemoveBlackoutData {
  removeBlackout: boolean;
}
