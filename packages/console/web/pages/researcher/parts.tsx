/** Small pieces several researcher pages share: an instrument's badges, and API problems shown at fields. */
import type { ApiError } from '../../api';
import { translateDynamic, useLang, useT } from '../../i18n';
import type { InstrumentSummary } from './model';

/** What kind of access an instrument offers, as short badges. */
export function InstrumentBadges(props: { instrument: InstrumentSummary }) {
  const t = useT();
  const { instrument } = props;
  return (
    <p class="badges">
      {instrument.sharedExternally ? (
        <span class="badge good">{t('researcher.badge.shared')}</span>
      ) : (
        <span class="badge">{t('researcher.badge.internalOnly')}</span>
      )}
      {instrument.remoteOperable && <span class="badge good">{t('researcher.badge.remote')}</span>}
      {instrument.requiresApproval && <span class="badge">{t('researcher.badge.approval')}</span>}
      {instrument.requiresQualification && <span class="badge">{t('researcher.badge.qualification')}</span>}
    </p>
  );
}

/**
 * The problem the API named at `field` (e.g. `start` matches `input.start`), in the reader's language
 * first (what the error code means), then the server's own words.
 */
export function useFieldProblem(error: ApiError | null): (field: string) => string | null {
  const lang = useLang();
  const t = useT();
  return (field) => {
    const problem = error?.problems.find((p) => p.field === field || p.field?.endsWith(`.${field}`));
    if (!problem) return null;
    const meaning = translateDynamic(lang, `error.${problem.code}`) ?? t('error.other');
    return t('researcher.fieldProblem', { meaning, message: problem.message });
  };
}
