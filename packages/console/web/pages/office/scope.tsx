/**
 * Which institution the office pages work on: a facility office's home institution, or for an ADMIN the one
 * chosen in a selector (kept in the address as `?institution=`, so every view can be bookmarked and shared).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId } from 'preact/hooks';
import { Loading, ErrorMessage, Page, RequireRole } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { href, navigate, useRoute } from '../../router';
import { hasRole, session } from '../../session';
import { useStore } from '../../store';
import { useQuery } from '../../use-api';

export interface OfficeScope {
  /** Institution code. */
  code: string;
  /** The viewer acts as ADMIN: links carry the chosen institution. */
  admin: boolean;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** A link to an office page of the same institution. */
export function scopedHref(scope: OfficeScope, path: string, query: Query = {}): string {
  return href(path, scope.admin ? { ...query, institution: scope.code } : query);
}

/** Goes to an office page of the same institution. */
export function scopedNavigate(scope: OfficeScope, path: string, query: Query = {}, options: { replace?: boolean } = {}) {
  navigate(path, scope.admin ? { ...query, institution: scope.code } : query, options);
}

/** The ADMIN's last choice, for pages opened from the navigation bar (no `?institution=`). */
let lastChosen: string | null = null;

interface InstitutionList {
  institutions: { code: string; name: string; nameEn: string | null }[];
}

const INSTITUTIONS = `query OfficeInstitutions { institutions { code name nameEn } }`;

/** An office page: the role gate, the institution line (or an ADMIN's selector), then the page's content. */
export function OfficePage(props: { title: string; children: (scope: OfficeScope) => ComponentChildren }) {
  return (
    <Page title={props.title}>
      <RequireRole roles={['FACILITY_MANAGER']}>
        <ScopeGate>{props.children}</ScopeGate>
      </RequireRole>
    </Page>
  );
}

function ScopeGate(props: { children: (scope: OfficeScope) => ComponentChildren }) {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  if (hasRole(viewer, 'ADMIN')) return <AdminScope>{props.children}</AdminScope>;
  const home = viewer?.institution;
  if (!home) return <p class="alert warn">{t('office.scope.noInstitution')}</p>;
  return (
    <>
      <p class="muted office-scope">
        {t('office.scope.institution', { name: lang === 'en' && home.nameEn ? home.nameEn : home.name })}
      </p>
      {props.children({ code: home.code, admin: false })}
    </>
  );
}

/** ADMIN acts for any member institution: the choice is the address's `institution`, else the last one. */
function AdminScope(props: { children: (scope: OfficeScope) => ComponentChildren }) {
  const t = useT();
  const lang = useLang();
  const id = useId();
  const route = useRoute();
  const { viewer } = useStore(session);
  const list = useQuery<InstitutionList>(INSTITUTIONS);
  const institutions = list.data?.institutions ?? [];
  const code = route.query.get('institution') ?? lastChosen ?? viewer?.institution?.code ?? institutions[0]?.code;
  useEffect(() => {
    if (code) lastChosen = code;
  }, [code]);
  if (list.loading) return <Loading />;
  if (list.error) return <ErrorMessage error={list.error} onRetry={list.reload} />;
  if (!code) return <p class="alert warn">{t('office.scope.noInstitution')}</p>;
  const choose = (next: string) => {
    lastChosen = next;
    // Another institution's page state (cursor, chosen instrument, …) means nothing here: start afresh.
    navigate(route.path.startsWith('/office/listings/') ? '/office/listings' : route.path, { institution: next });
  };
  return (
    <>
      <div class="office-scope no-print">
        <label for={id}>{t('office.scope.choose')}</label>
        <select id={id} value={code} onChange={(e) => choose(e.currentTarget.value)}>
          {institutions.map((i) => (
            <option key={i.code} value={i.code}>
              {lang === 'en' && i.nameEn ? i.nameEn : i.name} ({i.code})
            </option>
          ))}
        </select>
      </div>
      {props.children({ code, admin: true })}
    </>
  );
}
