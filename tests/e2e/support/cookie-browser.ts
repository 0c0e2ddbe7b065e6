/**
 * A browser without a screen for the e2e tier: follows redirects one by one and keeps cookies per origin and
 * path as a browser would (enough of RFC 6265 for the gateway and the test provider), so a test can walk a
 * whole OpenID Connect sign-in and then call the API with the session cookie alone.
 */
export interface Step {
  url: string;
  status: number;
  location: string | null;
}

interface StoredCookie {
  value: string;
  path: string;
}

export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, StoredCookie>>();

  /** The cookie `name` this browser holds for `origin` (any path). */
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(new URL(origin).origin)?.get(name)?.value;
  }

  /** Sets or replaces a cookie, as another tab or a forged page might. */
  setCookie(origin: string, name: string, value: string, path = '/'): void {
    const cookies = this.jar.get(new URL(origin).origin) ?? new Map<string, StoredCookie>();
    cookies.set(name, { value, path });
    this.jar.set(new URL(origin).origin, cookies);
  }

  private cookieHeader(url: URL): string | undefined {
    const cookies = [...(this.jar.get(url.origin) ?? new Map<string, StoredCookie>()).entries()].filter(([, c]) =>
      url.pathname.startsWith(c.path),
    );
    return cookies.length ? cookies.map(([name, c]) => `${name}=${c.value}`).join('; ') : undefined;
  }

  private remember(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const maxAge = attributes.find((a) => /^max-age=/i.test(a));
      const cookies = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
      if (maxAge && Number(maxAge.slice(8)) <= 0) cookies.delete(name);
      else cookies.set(name, { value, path });
      this.jar.set(url.origin, cookies);
    }
  }

  /** One request, no redirect followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = this.cookieHeader(target);
    const response = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) },
    });
    this.remember(target, response);
    return response;
  }

  /** GETs `url` and follows redirects (at most 10); answers the last response and every step on the way. */
  async navigate(url: string, init: RequestInit = {}): Promise<{ response: Response; steps: Step[] }> {
    const steps: Step[] = [];
    let current = url;
    let request = init;
    for (let hop = 0; hop < 10; hop++) {
      const response = await this.fetch(current, request);
      const location = response.headers.get('location');
      steps.push({ url: current, status: response.status, location });
      if (!location || response.status < 300 || response.status >= 400) return { response, steps };
      await response.body?.cancel();
      current = new URL(location, current).href;
      request = {};
    }
    throw new Error(`too many redirects from ${url}: ${steps.map((s) => s.url).join(' → ')}`);
  }

  /** Submits the first form of an HTML page with `fields` (and the page's hidden fields), following redirects. */
  async submit(pageUrl: string, html: string, fields: Record<string, string>): Promise<{ response: Response; steps: Step[] }> {
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 300)}`);
    const body = new URLSearchParams();
    for (const hidden of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]+)"/.exec(hidden[0])?.[1];
      const value = /value="([^"]*)"/.exec(hidden[0])?.[1] ?? '';
      if (name) body.set(name, value);
    }
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const action = new URL(form[1]!.replace(/&amp;/g, '&'), pageUrl).href;
    const response = await this.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const location = response.headers.get('location');
    const step = { url: action, status: response.status, location };
    if (!location) return { response, steps: [step] };
    await response.body?.cancel();
    const next = await this.navigate(new URL(location, action).href);
    return { response: next.response, steps: [step, ...next.steps] };
  }
}
