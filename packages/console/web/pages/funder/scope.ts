/**
 * Whose proposals and reports the viewer may see: funders and administrators every institution's, a
 * facility office its own institution's only (the gateway answers FORBIDDEN otherwise). And the member
 * institutions the pages offer.
 */
import { hasRole, type Viewer } from '../../session';
import { useQuery, type Loaded } from '../../use-api';
import { INSTITUTIONS, type Institution } from './queries';

/** Every institution, or only `institution` (null: a facility office without one, which may see none). */
export type Scope = { all: true } | { all: false; institution: string | null };

export function scopeOf(viewer: Viewer | null): Scope {
  if (hasRole(viewer, 'FUNDER', 'ADMIN')) return { all: true };
  return { all: false, institution: viewer?.institution?.code ?? null };
}

/** The member institutions within `scope`. */
export function inScope(institutions: readonly Institution[], scope: Scope): Institution[] {
  return scope.all ? [...institutions] : institutions.filter((i) => i.code === scope.institution);
}

export function useInstitutions(): Loaded<{ institutions: Institution[] }> {
  return useQuery<{ institutions: Institution[] }>(INSTITUTIONS);
}
