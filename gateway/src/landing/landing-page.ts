import type { ApolloServerPlugin } from '@apollo/server';

const EXAMPLE = `{
  institutions { code name prefecture health instrumentCount }
  searchInstruments(query: "NMR", first: 5) {
    totalCount
    edges { score node { id name institution { name } fees { userCategory mode hourlyRate } } }
  }
}`;

/** A self-contained page (no CDN, works offline) to try queries against the national API. */
export function landingPageHtml(): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kyoyo (共用) national API</title>
<style>
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 0; color: #1b1b1b; background: #f7f7f4; }
  header { background: #1d4e89; color: #fff; padding: 12px 20px; }
  header h1 { margin: 0; font-size: 1.2rem; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; padding: 12px 20px; }
  label { font-weight: 600; display: block; margin: 8px 0 4px; }
  textarea, input { width: 100%; box-sizing: border-box; font: 13px ui-monospace, monospace; padding: 8px; border: 1px solid #888; border-radius: 4px; }
  textarea { height: 55vh; }
  pre { background: #fff; border: 1px solid #888; border-radius: 4px; padding: 8px; height: 62vh; overflow: auto; margin: 0; font-size: 12px; }
  button { margin-top: 8px; padding: 8px 18px; background: #1d4e89; color: #fff; border: 0; border-radius: 4px; font-size: 1rem; cursor: pointer; }
  button:focus, textarea:focus, input:focus { outline: 3px solid #f0b400; }
  p.hint { font-size: .85rem; margin: 4px 20px; }
  code { background: #e8e8e2; padding: 1px 4px; }
</style>
</head>
<body>
<header><h1>Kyoyo (共用) — national research-equipment API</h1></header>
<p class="hint">POST GraphQL to <code>/graphql</code>. Anonymous callers may search and read listings. For a development token run
<code>npm run token -- --sub u1 --institution tohoku-u --role RESEARCHER</code> and paste it below.</p>
<main>
  <section>
    <label for="query">Query</label>
    <textarea id="query" spellcheck="false">${EXAMPLE}</textarea>
    <label for="variables">Variables (JSON)</label>
    <input id="variables" value="{}">
    <label for="token">Bearer token (optional)</label>
    <input id="token" autocomplete="off" placeholder="eyJ…">
    <button id="run" type="button">Run (Ctrl+Enter)</button>
  </section>
  <section>
    <label for="result">Result</label>
    <pre id="result" tabindex="0" aria-live="polite"></pre>
  </section>
</main>
<script>
  const $ = (id) => document.getElementById(id);
  async function run() {
    $('result').textContent = '…';
    let variables;
    try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables are not valid JSON: ' + e.message; return; }
    const headers = { 'content-type': 'application/json' };
    const token = $('token').value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    try {
      const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) });
      $('result').textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(await res.json(), null, 2);
    } catch (e) { $('result').textContent = 'Request failed: ' + e.message; }
  }
  $('run').addEventListener('click', run);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
</script>
</body>
</html>`;
}

/** Serves `landingPageHtml` for browsers that GET `/graphql` (Apollo's default page needs a CDN). */
export function localLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: landingPageHtml() };
        },
      };
    },
  };
}
