import { errors } from '@kyoyo/domain';

const LOCAL_ID = /^[1-9]\d{0,14}$/;

/**
 * A local numeric id (the gateway unwraps global ids to these). Anything else is `BAD_USER_INPUT` naming
 * `field`: a malformed id is bad input, an unknown one is for the caller to answer (NOT_FOUND or null).
 */
export function localIdOf(value: string, field: string): number {
  if (!LOCAL_ID.test(value)) throw errors.badInput(field, `${field} is not an id of this institution`);
  return Number(value);
}
