/**
 * An instrument's fee schedule as a table (user category × operation mode), my category's row marked, and a
 * note saying which category I am and why (home institution, affiliation, or not signed in).
 */
import { useLang, useT } from '../../i18n';
import { session, userCategoryAt } from '../../session';
import { useStore } from '../../store';
import { yen } from '../../format';
import { OPERATION_MODES, USER_CATEGORIES, localName, type InstrumentDetail } from './model';
import { categoryReason } from './rules';

export function FeeTable(props: { instrument: InstrumentDetail }) {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  const { instrument } = props;
  const mine = userCategoryAt(viewer, instrument.institution.code);
  const reason = categoryReason(viewer, instrument.institution.code);
  const rate = (category: string, mode: string) => instrument.fees.find((f) => f.userCategory === category && f.mode === mode);

  return (
    <section class="panel titled" aria-labelledby="fees-heading">
      <h2 id="fees-heading">{t('researcher.fees.title')}</h2>
      <p class="my-category">
        {t('researcher.fees.mine', {
          category: t(`common.category.${mine}`),
          reason: t(`researcher.fees.reason.${reason}`, { institution: localName(lang, instrument.institution) }),
        })}
      </p>
      {instrument.fees.length === 0 ? (
        <p>{t('researcher.fees.none')}</p>
      ) : (
        <div class="table-scroll">
          <table class="fees">
            <caption class="muted">{t('researcher.fees.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('researcher.fees.category')}</th>
                {OPERATION_MODES.map((mode) => (
                  <th scope="col" class="num" key={mode}>
                    {t(`common.mode.${mode}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {USER_CATEGORIES.map((category) => (
                <tr key={category} class={category === mine ? 'mine' : undefined}>
                  <th scope="row">
                    {t(`common.category.${category}`)}
                    {category === mine && <strong class="you">{t('researcher.fees.you')}</strong>}
                  </th>
                  {OPERATION_MODES.map((mode) => {
                    const fee = rate(category, mode);
                    return (
                      <td class="num" key={mode}>
                        {fee ? (
                          <>
                            {t('researcher.perHour', { amount: yen(fee.hourlyRate, lang) })}
                            <br />
                            <span class="muted small">
                              {t('researcher.fees.unit', {
                                minutes: fee.billingUnitMinutes,
                                minimum: yen(fee.minimumCharge, lang),
                              })}
                            </span>
                          </>
                        ) : (
                          <span class="muted">{t('researcher.fees.notOffered')}</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
