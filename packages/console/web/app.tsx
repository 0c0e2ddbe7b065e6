/** The frame around every page: header with navigation, language switch and sign-in; the routed page. */
import { HomePage } from './pages/home';
import { SignInPage } from './pages/sign-in';
import { devArea } from './pages/dev';
import { funderArea } from './pages/funder';
import { officeArea } from './pages/office';
import { researcherArea } from './pages/researcher';
import { setLanguage, useLang, useT } from './i18n';
import type { PageArea, PageRoute } from './routes';
import { href, match, useRoute } from './router';
import { gatewayOffers, hasRole, session, signOut } from './session';
import { useStore } from './store';

const AREAS: PageArea[] = [researcherArea, officeArea, funderArea, devArea];
const ROUTES: PageRoute[] = [
  { pattern: '/', render: () => <HomePage /> },
  { pattern: '/sign-in', render: (_params, query) => <SignInPage next={query.get('next')} /> },
  ...AREAS.flatMap((a) => a.routes),
];

export function App() {
  const t = useT();
  const lang = useLang();
  const route = useRoute();
  const { viewer, expired } = useStore(session);
  const offers = useStore(gatewayOffers);
  const page = ROUTES.map((r) => ({ r, params: match(r.pattern, route.path) })).find((m) => m.params);
  const nav = AREAS.flatMap((a) => a.nav).filter(
    (n) => (!n.roles || hasRole(viewer, ...n.roles, 'ADMIN')) && (!n.offer || !!offers?.[n.offer]),
  );

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('common.skip')}
      </a>
      <header class="top">
        <a class="brand" href={href('/')}>
          {t('common.brand')}
        </a>
        <nav aria-label={t('common.tagline')}>
          <ul>
            {nav.map((n) => (
              <li key={n.path}>
                <a
                  href={href(n.path)}
                  aria-current={route.path === n.path || route.path.startsWith(`${n.path}/`) ? 'page' : undefined}
                >
                  {t(n.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <button
            type="button"
            class="link"
            lang={lang === 'ja' ? 'en' : 'ja'}
            aria-label={t('common.languageLabel')}
            onClick={() => setLanguage(lang === 'ja' ? 'en' : 'ja')}
          >
            {t('common.language')}
          </button>
          {viewer ? (
            <>
              <span data-testid="viewer">
                {t('common.signedInAs', { id: viewer.id, org: viewer.institution?.name ?? viewer.organization ?? '' })}
              </span>
              <button type="button" class="link" onClick={() => void signOut()}>
                {t('common.signOut')}
              </button>
            </>
          ) : (
            <a href={href('/sign-in', { next: route.path === '/sign-in' ? null : location.hash })}>{t('common.signIn')}</a>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {expired && !viewer && (
          <p class="alert warn" role="status">
            {t('common.sessionExpired')} <a href={href('/sign-in', { next: location.hash })}>{t('common.signIn')}</a>
          </p>
        )}
        {page ? page.r.render(page.params!, route.query) : <p>{t('common.notFound')}</p>}
      </main>
    </>
  );
}
