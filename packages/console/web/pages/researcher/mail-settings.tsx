/**
 * The e-mail panel of `#/bookings`: where the institutions write to me (my sign-in's address), in which
 * language, and whether I get a reminder the day before each booking. A change is kept by the gateway and
 * passed to every institution.
 */
import { ErrorMessage } from '../../components/common';
import { useT } from '../../i18n';
import { gql } from '../../api';
import { useAction, useQuery } from '../../use-api';

interface Preferences {
  email: string | null;
  language: 'JA' | 'EN';
  reminders: boolean;
}

const MINE = `query MyMailSettings { me { notificationPreferences { email language reminders } } }`;
const SET = `mutation SetMailSettings($input: NotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) { email language reminders } }`;

export function MailSettingsPanel() {
  const t = useT();
  const mine = useQuery<{ me: { notificationPreferences: Preferences } | null }>(MINE);
  const save = useAction((input: Partial<Pick<Preferences, 'language' | 'reminders'>>) =>
    gql<{ setNotificationPreferences: Preferences }>(SET, { input }),
  );
  const current = save.result?.setNotificationPreferences ?? mine.data?.me?.notificationPreferences ?? null;

  return (
    <section class="panel mail-settings" aria-labelledby="mail-settings">
      <h2 id="mail-settings">{t('researcher.mail.title')}</h2>
      {mine.error && <ErrorMessage error={mine.error} />}
      {save.error && <ErrorMessage error={save.error} />}
      {current && (
        <>
          <p data-testid="mail-address">
            {current.email ? t('researcher.mail.address', { email: current.email }) : t('researcher.mail.noAddress')}
          </p>
          <label>
            {t('researcher.mail.language')}{' '}
            <select
              name="mail-language"
              value={current.language}
              disabled={save.running}
              onChange={(e) => void save.run({ language: e.currentTarget.value as Preferences['language'] })}
            >
              <option value="JA">日本語</option>
              <option value="EN">English</option>
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="mail-reminders"
              checked={current.reminders}
              disabled={save.running}
              onChange={(e) => void save.run({ reminders: e.currentTarget.checked })}
            />
            {t('researcher.mail.reminders')}
          </label>
          {save.result && (
            <p class="hint" role="status">
              {t('researcher.mail.saved')}
            </p>
          )}
        </>
      )}
    </section>
  );
}
