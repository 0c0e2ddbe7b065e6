/** Development-only pages: the mailbox of `npm start`, in the navigation only when the gateway has one. */
import './dev.css';
import type { PageArea } from '../../routes';
import { MailboxPage } from './mailbox-page';

export const devArea: PageArea = {
  routes: [{ pattern: '/dev/mailbox', render: (_params, query) => <MailboxPage query={query} /> }],
  nav: [{ path: '/dev/mailbox', label: 'dev.nav.mailbox', offer: 'devMailbox' }],
};
