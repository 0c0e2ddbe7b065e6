/** What a page area gives the frame: its routes, and its entries in the navigation bar. */
import type { VNode } from 'preact';
import type { MessageKey } from './i18n';
import type { Role, SignInOptions } from './session';

export interface PageRoute {
  /** e.g. `/instruments/:id`. */
  pattern: string;
  render(params: Record<string, string>, query: URLSearchParams): VNode;
}

export interface NavEntry {
  path: string;
  label: MessageKey;
  /** Shown to signed-in users with one of these roles (or ADMIN); absent: to everyone. */
  roles?: Role[];
  /** Shown only when the gateway offers this (`GET /auth/options`), e.g. the development mailbox. */
  offer?: keyof Pick<SignInOptions, 'devMailbox'>;
}

export interface PageArea {
  routes: PageRoute[];
  nav: NavEntry[];
}
