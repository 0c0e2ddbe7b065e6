import { Page } from '../components/common';
import { useT } from '../i18n';
import { href } from '../router';
import { hasRole, session } from '../session';
import { useStore } from '../store';

/** Where everyone starts: what Kyoyo is, and the way in for each kind of user. */
export function HomePage() {
  const t = useT();
  const { viewer } = useStore(session);
  return (
    <Page title={t('common.home.title')}>
      <p>{t('common.home.lead')}</p>
      <ul class="home-links">
        <li>
          <a href={href('/search')}>{t('common.home.researcher')}</a>
        </li>
        {(!viewer || hasRole(viewer, 'FACILITY_MANAGER', 'ADMIN')) && (
          <li>
            <a href={href('/office/listings')}>{t('common.home.office')}</a>
          </li>
        )}
        {(!viewer || hasRole(viewer, 'FUNDER', 'ADMIN')) && (
          <li>
            <a href={href('/funder/check')}>{t('common.home.funder')}</a>
          </li>
        )}
      </ul>
    </Page>
  );
}
