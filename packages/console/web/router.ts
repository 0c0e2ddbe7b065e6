/**
 * Hash routes (`#/search?q=NMR`): the gateway serves one page at `/`, and any address can be bookmarked,
 * reloaded and shared. `useRoute()` follows the address; `href()` and `navigate()` make one.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The path without `#`, e.g. `/instruments/tohoku-u:42`. */
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const at = hash.indexOf('?');
  return {
    path: decodeURI(at >= 0 ? hash.slice(0, at) : hash),
    query: new URLSearchParams(at >= 0 ? hash.slice(at + 1) : ''),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const follow = () => setRoute(current());
    addEventListener('hashchange', follow);
    follow(); // the address may have changed between the first render and this subscription
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}

/** `#/path?query` for a link. Empty and undefined query values are left out. */
export function href(path: string, query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const search = params.toString();
  return `#${encodeURI(path)}${search ? `?${search}` : ''}`;
}

export function navigate(path: string, query: Parameters<typeof href>[1] = {}, options: { replace?: boolean } = {}): void {
  const target = href(path, query);
  if (options.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Matches `/instruments/:id` against a path: the named parts, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(have[i]!);
    else if (part !== have[i]) return null;
  }
  return params;
}
