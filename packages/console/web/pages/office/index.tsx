/** The core-facility office's pages: listings, CSV import, approvals, qualifications, usage statements, e-mail. */
import type { PageArea } from '../../routes';
import { ApprovalsPage } from './approvals-page';
import { ImportPage } from './import-page';
import { ListingEditPage } from './listing-edit-page';
import { ListingsPage } from './listings-page';
import { MailPage } from './mail-page';
import { QualificationsPage } from './qualifications-page';
import { UsagePage } from './usage-page';
import './office.css';

export const officeArea: PageArea = {
  routes: [
    { pattern: '/office/listings', render: (_params, query) => <ListingsPage query={query} /> },
    { pattern: '/office/listings/new', render: () => <ListingEditPage id={null} /> },
    { pattern: '/office/listings/:id', render: (params) => <ListingEditPage key={params.id} id={params.id!} /> },
    { pattern: '/office/import', render: () => <ImportPage /> },
    { pattern: '/office/approvals', render: () => <ApprovalsPage /> },
    { pattern: '/office/qualifications', render: (_params, query) => <QualificationsPage query={query} /> },
    { pattern: '/office/usage', render: (_params, query) => <UsagePage query={query} /> },
    { pattern: '/office/mail', render: (_params, query) => <MailPage query={query} /> },
  ],
  nav: [
    { path: '/office/listings', label: 'office.nav.listings', roles: ['FACILITY_MANAGER'] },
    { path: '/office/import', label: 'office.nav.import', roles: ['FACILITY_MANAGER'] },
    { path: '/office/approvals', label: 'office.nav.approvals', roles: ['FACILITY_MANAGER'] },
    { path: '/office/qualifications', label: 'office.nav.qualifications', roles: ['FACILITY_MANAGER'] },
    { path: '/office/usage', label: 'office.nav.usage', roles: ['FACILITY_MANAGER'] },
    { path: '/office/mail', label: 'office.nav.mail', roles: ['FACILITY_MANAGER'] },
  ],
};
