/**
 * What other workspaces (tests, the e2e support) use of the infrastructure: the development and test mail
 * receiver. The rest of infra is its command-line entry points (`npm start`, `db:migrate`, `build:dist`).
 */
export { isAddressedTo, startMailbox } from './mailbox/mailbox';
export type { Mailbox, MailboxMessage, MailboxOptions } from './mailbox/mailbox';
