/** Small pieces every page uses: page frame, errors, loading, form fields, role gate. */
import type { ComponentChildren } from 'preact';
import { useEffect, useId } from 'preact/hooks';
import type { ApiError } from '../api';
import { translateDynamic, useLang, useT } from '../i18n';
import { href } from '../router';
import { hasRole, session, type Role } from '../session';
import { useStore } from '../store';

/** A page: its title in the tab and as the one `h1`. */
export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const t = useT();
  useEffect(() => {
    document.title = `${props.title} — ${t('common.brand')}`;
  }, [props.title, t]);
  return (
    <>
      <h1>{props.title}</h1>
      {props.actions && <div class="actions no-print">{props.actions}</div>}
      {props.children}
    </>
  );
}

/** An API error in words a user can act on: what the code means, then the server's own message (and field). */
export function ErrorMessage(props: { error: ApiError | null; onRetry?: () => void }) {
  const lang = useLang();
  const t = useT();
  if (!props.error) return null;
  const { error } = props;
  const meaning = translateDynamic(lang, `error.${error.code}`) ?? t('error.other');
  return (
    <div class="alert error" role="alert">
      <strong>{meaning}</strong>
      <ul>
        {error.problems.map((p, i) => (
          <li key={i}>
            {p.message}
            {p.field && <span class="muted"> ({t('error.field', { field: p.field })})</span>} <span class="code">[{p.code}]</span>
          </li>
        ))}
      </ul>
      {props.onRetry && (
        <button type="button" class="secondary" onClick={props.onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p class="muted" role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

/** Institutions that did not answer a federated call: the rest of the answer is still shown. */
export function Unavailable(props: { institutions: { code: string; name: string }[] }) {
  const t = useT();
  if (!props.institutions.length) return null;
  return (
    <p class="alert warn" role="status">
      {t('common.unavailable', { list: props.institutions.map((i) => i.name).join(', ') })}
    </p>
  );
}

/**
 * A labelled control: `children` gets the id to put on its input (so the label names it), and a problem
 * (e.g. the API's message for this field) marks it invalid and is read out with it.
 */
export function Field(props: {
  label: string;
  hint?: string;
  problem?: string | null;
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ComponentChildren;
}) {
  const id = useId();
  const describedBy =
    [props.hint ? `${id}-hint` : '', props.problem ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.children({ id, 'aria-invalid': !!props.problem, 'aria-describedby': describedBy })}
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.problem && (
        <p class="problem" id={`${id}-problem`}>
          {props.problem}
        </p>
      )}
    </div>
  );
}

/** Shows `children` to a signed-in user with one of `roles`; otherwise says why not. */
export function RequireRole(props: { roles: Role[]; children: ComponentChildren }) {
  const t = useT();
  const { viewer } = useStore(session);
  if (!viewer)
    return (
      <p class="alert warn">
        {t('common.needSignIn')} <a href={href('/sign-in', { next: location.hash })}>{t('common.signIn')}</a>
      </p>
    );
  if (!hasRole(viewer, ...props.roles, 'ADMIN'))
    return (
      <p class="alert warn">
        {t('common.needRole', {
          roles: props.roles.map((r) => t(`common.role.${r}`)).join(', '),
          have: viewer.roles.map((r) => t(`common.role.${r}`)).join(', '),
        })}
      </p>
    );
  return <>{props.children}</>;
}
