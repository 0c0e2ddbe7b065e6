/** The researcher's pages: national search, instrument page with booking, my bookings. */
import './researcher.css';
import type { PageArea } from '../../routes';
import { BookingsPage } from './bookings-page';
import { InstrumentPage } from './instrument-page';
import { SearchPage } from './search-page';

export const researcherArea: PageArea = {
  routes: [
    { pattern: '/search', render: (_params, query) => <SearchPage query={query} /> },
    { pattern: '/instruments/:id', render: (params, query) => <InstrumentPage key={params.id} id={params.id!} query={query} /> },
    { pattern: '/bookings', render: () => <BookingsPage /> },
  ],
  nav: [
    { path: '/search', label: 'researcher.nav.search' },
    { path: '/bookings', label: 'researcher.nav.bookings', roles: ['RESEARCHER'] },
  ],
};
