/**
 * Sign-in: through the institution's OpenID provider when the gateway offers one (the browser goes to the
 * provider and comes back with a session cookie), and — in development only — by picking (or typing) who you
 * are, signed by the gateway's development issuer.
 */
import { useEffect, useState } from 'preact/hooks';
import { Field, Page } from '../components/common';
import { useLang, useT } from '../i18n';
import { navigate } from '../router';
import { devSignIn, SignInError, signInOptions, type DevIdentity, type Role, type SignInOptions } from '../session';
import { useQuery } from '../use-api';

const ROLES: Role[] = ['RESEARCHER', 'FACILITY_MANAGER', 'FUNDER', 'ADMIN', 'INSTITUTION_ADMIN'];

interface Institution {
  code: string;
  name: string;
  nameEn: string | null;
}

/** Typical users of the demo federation, one click each. */
function presets(institutions: Institution[]): { label: string; identity: DevIdentity }[] {
  const first = institutions[0]?.code ?? null;
  const second = institutions[1]?.code ?? first;
  return [
    {
      label: `researcher-1 @ ${first}`,
      identity: {
        sub: 'researcher-1',
        institution: first,
        organization: null,
        affiliation: 'academic',
        roles: ['RESEARCHER'],
        email: `researcher-1@${first ?? 'example'}.example`,
      },
    },
    {
      label: `office-1 @ ${second}`,
      identity: {
        sub: 'office-1',
        institution: second,
        organization: null,
        affiliation: 'academic',
        roles: ['FACILITY_MANAGER'],
        email: `office-1@${second ?? 'example'}.example`,
      },
    },
    {
      label: 'funder-1 @ JSPS',
      identity: {
        sub: 'funder-1',
        institution: null,
        organization: 'Japan Society for the Promotion of Science',
        affiliation: 'academic',
        roles: ['FUNDER'],
        email: 'funder-1@jsps.example',
      },
    },
    {
      label: 'industry-1 @ Example KK',
      identity: {
        sub: 'industry-1',
        institution: null,
        organization: 'Example Industry KK',
        affiliation: 'industry',
        roles: ['RESEARCHER'],
        email: 'industry-1@industry.example',
      },
    },
  ];
}

export function SignInPage(props: { next: string | null }) {
  const t = useT();
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    signInOptions().then(setOptions, (error: unknown) => setFailed(String(error)));
  }, []);
  // Back to where the person was, on this site (the gateway refuses any other place).
  const returnTo = `/${props.next?.startsWith('#') ? props.next : '#/'}`;
  if (failed)
    return (
      <Page title={t('common.signIn')}>
        <p class="alert error" role="alert">
          {t('common.signIn.failed', { message: failed })}
        </p>
      </Page>
    );
  if (!options) return <Page title={t('common.signIn')}>{null}</Page>;
  return (
    <Page title={options.oidc ? t('common.signIn') : t('common.signIn.title')}>
      {options.oidc && (
        <section class="panel" aria-labelledby="oidc-sign-in">
          <h2 id="oidc-sign-in">{t('common.signIn.oidc.title')}</h2>
          <p>{t('common.signIn.oidc.lead')}</p>
          <a class="button" href={`/auth/sign-in?return=${encodeURIComponent(returnTo)}`} data-testid="oidc-sign-in">
            {t('common.signIn.oidc.submit', { name: options.oidc.name })}
          </a>
        </section>
      )}
      {options.devSignIn && (
        <>
          {options.oidc && <h2>{t('common.signIn.title')}</h2>}
          <DevSignIn next={props.next} />
        </>
      )}
      {!options.oidc && !options.devSignIn && <p class="alert">{t('common.signIn.none')}</p>}
    </Page>
  );
}

/** The development issuer's sign-in: presets of the demo federation's typical users, or any identity. */
function DevSignIn(props: { next: string | null }) {
  const t = useT();
  const lang = useLang();
  const institutions = useQuery<{ institutions: Institution[] }>(
    `query SignInInstitutions { institutions { code name nameEn } }`,
  );
  const [identity, setIdentity] = useState<DevIdentity>({
    sub: '',
    institution: null,
    organization: null,
    affiliation: 'academic',
    roles: ['RESEARCHER'],
    email: null,
  });
  const [problem, setProblem] = useState<{ message: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const list = institutions.data?.institutions ?? [];

  const submit = async (who: DevIdentity) => {
    setBusy(true);
    setProblem(null);
    try {
      // Mail in the language the console is read in.
      await devSignIn({ ...who, language: lang });
      const next = props.next?.replace(/^#/, '') || '/';
      navigate(next.split('?')[0]!, Object.fromEntries(new URLSearchParams(next.split('?')[1] ?? '')), { replace: true });
    } catch (error) {
      setProblem(
        error instanceof SignInError ? { message: error.message, field: error.field } : { message: String(error), field: null },
      );
    } finally {
      setBusy(false);
    }
  };
  const problemFor = (field: string) => (problem?.field === field ? problem.message : null);
  const set = (patch: Partial<DevIdentity>) => setIdentity((current) => ({ ...current, ...patch }));

  return (
    <>
      <p>{t('common.signIn.lead')}</p>
      {problem && (
        <p class="alert error" role="alert">
          {t('common.signIn.failed', { message: problem.message })}
        </p>
      )}
      <div class="grid-2">
        <section class="panel" aria-labelledby="presets">
          <h2 id="presets">{t('common.signIn.preset')}</h2>
          <ul>
            {presets(list).map((p) => (
              <li key={p.label}>
                <button type="button" class="link" disabled={busy} onClick={() => void submit(p.identity)}>
                  {p.label} — {p.identity.roles.map((r) => t(`common.role.${r}`)).join(', ')}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <form
          class="panel"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(identity);
          }}
        >
          <Field label={t('common.signIn.sub')} problem={problemFor('sub')}>
            {(control) => (
              <input {...control} name="sub" required value={identity.sub} onInput={(e) => set({ sub: e.currentTarget.value })} />
            )}
          </Field>
          <Field label={t('common.signIn.email')} hint={t('common.signIn.emailHint')} problem={problemFor('email')}>
            {(control) => (
              <input
                {...control}
                type="email"
                name="email"
                value={identity.email ?? ''}
                onInput={(e) => set({ email: e.currentTarget.value || null })}
              />
            )}
          </Field>
          <Field label={t('common.signIn.institution')} problem={problemFor('institution')}>
            {(control) => (
              <select
                {...control}
                name="institution"
                value={identity.institution ?? ''}
                onChange={(e) => set({ institution: e.currentTarget.value || null })}
              >
                <option value="">{t('common.signIn.outside')}</option>
                {list.map((i) => (
                  <option key={i.code} value={i.code}>
                    {i.name} ({i.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label={t('common.signIn.organization')}
            hint={t('common.signIn.organizationHint')}
            problem={problemFor('organization')}
          >
            {(control) => (
              <input
                {...control}
                name="organization"
                value={identity.organization ?? ''}
                onInput={(e) => set({ organization: e.currentTarget.value || null })}
              />
            )}
          </Field>
          <fieldset>
            <legend>{t('common.signIn.affiliation')}</legend>
            {(['academic', 'industry'] as const).map((a) => (
              <label class="check" key={a}>
                <input
                  type="radio"
                  name="affiliation"
                  checked={identity.affiliation === a}
                  onChange={() => set({ affiliation: a })}
                />
                {t(`common.signIn.${a}`)}
              </label>
            ))}
          </fieldset>
          <fieldset aria-invalid={!!problemFor('roles')}>
            <legend>{t('common.signIn.roles')}</legend>
            {ROLES.map((r) => (
              <label class="check" key={r}>
                <input
                  type="checkbox"
                  name="roles"
                  value={r}
                  checked={identity.roles.includes(r)}
                  onChange={(e) =>
                    set({ roles: e.currentTarget.checked ? [...identity.roles, r] : identity.roles.filter((x) => x !== r) })
                  }
                />
                {t(`common.role.${r}`)}
              </label>
            ))}
            {problemFor('roles') && <p class="problem">{problemFor('roles')}</p>}
          </fieldset>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t('common.signIn.submit')}
            </button>
          </div>
        </form>
      </div>
    </>
  );
}
