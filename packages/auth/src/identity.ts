import { z } from 'zod';

export const ROLES = ['RESEARCHER', 'FACILITY_MANAGER', 'FUNDER', 'ADMIN', 'INSTITUTION_ADMIN'] as const;
/**
 * What a user may do. `FACILITY_MANAGER` and `INSTITUTION_ADMIN` (who grants and revokes the facility office's
 * roles of one institution) apply to the user's home institution only.
 */
export type Role = (typeof ROLES)[number];

/** Roles that hold only at one institution: a grant of one names it, and it applies where it is the user's home. */
export const INSTITUTION_ROLES: readonly Role[] = ['FACILITY_MANAGER', 'INSTITUTION_ADMIN'];

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const AFFILIATIONS = ['academic', 'industry'] as const;

export const LANGUAGES = ['ja', 'en'] as const;
/** The languages Kyoyo writes to people in. */
export type Language = (typeof LANGUAGES)[number];
export type Affiliation = (typeof AFFILIATIONS)[number];

/** Who is calling, as the identity token says (CONTRACT.md "Identity token claims"). */
export interface Identity {
  /** User id (`sub`). */
  id: string;
  /** Home institution code (`inst`) when the user belongs to a member of the federation. */
  institution: string | null;
  /** Organisation name (`org`). */
  organization: string | null;
  affiliation: Affiliation;
  roles: Role[];
  /** Where Kyoyo writes to the user (`email`); unset when the identity provider gives none. */
  email?: string | null;
  /** The language mail is written in (`lang`, else Japanese). */
  language?: Language | null;
  /** Whether the user wants a reminder the day before a booking (`rem`; default true). */
  reminders?: boolean;
}

/** The claims Kyoyo reads from an identity token. Unknown claims are ignored. */
export const identityClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  inst: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/)
    .optional(),
  org: z.string().min(1).max(300).optional(),
  aff: z.enum(AFFILIATIONS).default('academic'),
  /** Role names this version does not know are left out (a newer gateway's role grants nothing here), never an error. */
  roles: z
    .array(z.string().max(100))
    .max(50)
    .default([])
    .transform((names) => names.filter(isRole)),
  /** Contact and preferences: a malformed value from an identity provider is left out, never an error. */
  email: z.email().max(254).optional().catch(undefined),
  /** A language tag (`ja`, `en-GB`, `ja-JP`…): its primary language, when Kyoyo writes in it. */
  lang: z
    .string()
    .max(35)
    .transform((tag) => tag.toLowerCase().split(/[-_]/)[0])
    .pipe(z.enum(LANGUAGES))
    .optional()
    .catch(undefined),
  rem: z.boolean().optional().catch(undefined),
});

export type IdentityClaims = z.input<typeof identityClaimsSchema>;

/** Reads an identity from verified token claims; `null` when the claims are not Kyoyo's. */
export function identityFromClaims(claims: unknown): Identity | null {
  const parsed = identityClaimsSchema.safeParse(claims);
  if (!parsed.success) return null;
  const { sub, inst, org, aff, roles, email, lang, rem } = parsed.data;
  return {
    id: sub,
    institution: inst ?? null,
    organization: org ?? null,
    affiliation: aff,
    roles: [...new Set(roles)],
    ...(email ? { email } : {}),
    ...(lang ? { language: lang } : {}),
    ...(rem === undefined ? {} : { reminders: rem }),
  };
}

/** The claims that carry `identity`. */
export function claimsOf(identity: Identity): Record<string, unknown> {
  return {
    sub: identity.id,
    ...(identity.institution ? { inst: identity.institution } : {}),
    ...(identity.organization ? { org: identity.organization } : {}),
    aff: identity.affiliation,
    roles: identity.roles,
    ...(identity.email ? { email: identity.email } : {}),
    ...(identity.language ? { lang: identity.language } : {}),
    ...(identity.reminders === undefined ? {} : { rem: identity.reminders }),
  };
}
