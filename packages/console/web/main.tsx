/** The console's entry: restore the session and language, then render. */
import './styles.css';
import { render } from 'preact';
import { App } from './app';
import { language } from './i18n';
import { restoreSession, signInOptions } from './session';

document.documentElement.lang = language.get();
// What the gateway offers decides some navigation (the development mailbox); the page need not wait for it.
void signInOptions().catch(() => undefined);
await restoreSession();
const root = document.getElementById('app')!;
root.replaceChildren(); // the page's "loading" line
render(<App />, root);
