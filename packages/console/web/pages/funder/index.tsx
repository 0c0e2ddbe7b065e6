/** The funding agency's pages: duplicate-purchase checks (single and batch), check reports, sharing rates. */
import type { PageArea } from '../../routes';
import { BatchPage } from './batch-page';
import { CheckPage } from './check-page';
import { DashboardPage } from './dashboard-page';
import { ReportPage } from './report-page';
import './funder.css';

export const funderArea: PageArea = {
  routes: [
    { pattern: '/funder/check', render: () => <CheckPage /> },
    { pattern: '/funder/checks/:id', render: (params) => <ReportPage id={params.id!} /> },
    { pattern: '/funder/batch', render: () => <BatchPage /> },
    { pattern: '/funder/dashboard', render: (_params, query) => <DashboardPage query={query} /> },
  ],
  nav: [
    { path: '/funder/check', label: 'funder.nav.check', roles: ['FUNDER', 'FACILITY_MANAGER'] },
    { path: '/funder/batch', label: 'funder.nav.batch', roles: ['FUNDER', 'FACILITY_MANAGER'] },
    { path: '/funder/dashboard', label: 'funder.nav.dashboard', roles: ['FUNDER', 'FACILITY_MANAGER'] },
  ],
};
