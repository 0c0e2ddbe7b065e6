/**
 * `POST /dev/sign-in` (development only: the gateway has it only when it holds the development issuer's key):
 * `{ sub, institution?, organization?, affiliation?, roles, email?, language? }` → `{ token, expiresAt }`, the same token
 * `npm run token` prints; bad input answers `{ code: 'BAD_USER_INPUT', error, field }` and signs nothing. The
 * console's sign-in page uses it; production signs in through OIDC instead.
 */
import {
  AFFILIATIONS,
  DEV_AUDIENCE,
  DEV_ISSUER,
  ROLES,
  signIdentityToken,
  type Affiliation,
  type KeyPair,
  type Role,
} from '@kyoyo/auth';
import { ErrorCode, isInstitutionCode } from '@kyoyo/domain';
import { readBody, sendJson, type Logger, type Route } from '@kyoyo/server-kit';

const TTL_SECONDS = 12 * 3600;

/** An address as the `email` claim takes it: something@somewhere, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Problem {
  field: string;
  error: string;
}

function parse(body: unknown): { identity: Parameters<typeof signIdentityToken>[0] } | Problem {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { field: 'body', error: 'send a JSON object' };
  const input = body as Record<string, unknown>;
  const text = (name: string): string | null => {
    const value = input[name];
    return typeof value === 'string' && value.trim() ? value.trim() : null;
  };
  const sub = text('sub');
  if (!sub || sub.length > 200) return { field: 'sub', error: 'sub (the user id) is required, at most 200 characters' };
  const institution = text('institution');
  if (institution !== null && !isInstitutionCode(institution))
    return { field: 'institution', error: `${institution} is not an institution code (lower-case letters, digits, hyphens)` };
  const organization = text('organization');
  if (institution === null && organization === null)
    return { field: 'organization', error: 'organization is required for users outside the federation (no institution)' };
  if (organization !== null && organization.length > 200)
    return { field: 'organization', error: 'organization: at most 200 characters' };
  const affiliation = input.affiliation ?? 'academic';
  if (!AFFILIATIONS.includes(affiliation as Affiliation))
    return { field: 'affiliation', error: 'affiliation must be academic or industry' };
  const roles = input.roles;
  if (!Array.isArray(roles) || roles.length === 0)
    return { field: 'roles', error: `give at least one role of ${ROLES.join(', ')}` };
  const unknown = roles.find((r) => !ROLES.includes(r as Role));
  if (unknown !== undefined) return { field: 'roles', error: `${String(unknown)} is not one of ${ROLES.join(', ')}` };
  // Where the demo's mail goes (the development mailbox shows it), and in which language.
  const email = text('email');
  if (email !== null && (email.length > 254 || !EMAIL.test(email)))
    return { field: 'email', error: `${email} is not an e-mail address` };
  const language = input.language ?? null;
  if (language !== null && language !== 'ja' && language !== 'en')
    return { field: 'language', error: 'language must be ja or en' };
  return {
    identity: {
      id: sub,
      institution,
      organization,
      affiliation: affiliation as Affiliation,
      roles: [...new Set(roles as Role[])],
      ...(email ? { email } : {}),
      ...(language ? { language } : {}),
    },
  };
}

export function devSignInRoute(issuerKey: KeyPair, logger: Logger): Route {
  return {
    method: 'POST',
    path: '/dev/sign-in',
    handle: async (req, res) => {
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        return sendJson(res, 415, { code: ErrorCode.BAD_USER_INPUT, error: 'send application/json', field: 'body' });
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, 16 * 1024));
      } catch {
        return sendJson(res, 400, {
          code: ErrorCode.BAD_USER_INPUT,
          error: 'the body is not JSON (at most 16 KB)',
          field: 'body',
        });
      }
      const parsed = parse(body);
      if ('error' in parsed) return sendJson(res, 400, { code: ErrorCode.BAD_USER_INPUT, ...parsed });
      const token = await signIdentityToken(parsed.identity, issuerKey, {
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        ttlSeconds: TTL_SECONDS,
      });
      logger.info('development sign-in', {
        sub: parsed.identity.id,
        roles: parsed.identity.roles,
        institution: parsed.identity.institution,
      });
      sendJson(res, 200, { token, expiresAt: new Date(Date.now() + TTL_SECONDS * 1000).toISOString() });
    },
  };
}
