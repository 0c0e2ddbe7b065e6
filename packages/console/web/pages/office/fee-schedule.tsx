/** The fee schedule of a listing as an editable table: one row per (user category, mode) with its rates. */
import { useId } from 'preact/hooks';
import { useT } from '../../i18n';
import { feeRow, type FeeRow } from './listing-form';
import { OPERATION_MODES, USER_CATEGORIES } from './types';

type Editable = 'hourlyRate' | 'billingUnitMinutes' | 'minimumCharge';

const NUMBER_COLUMNS: { field: Editable; label: 'office.fees.hourlyRate' | 'office.fees.billingUnit' | 'office.fees.minimum' }[] =
  [
    { field: 'hourlyRate', label: 'office.fees.hourlyRate' },
    { field: 'billingUnitMinutes', label: 'office.fees.billingUnit' },
    { field: 'minimumCharge', label: 'office.fees.minimum' },
  ];

/** The first combination the schedule does not have yet (else the first of all). */
function unusedCombination(rows: FeeRow[]): Pick<FeeRow, 'userCategory' | 'mode'> {
  for (const mode of OPERATION_MODES)
    for (const userCategory of USER_CATEGORIES)
      if (!rows.some((r) => r.userCategory === userCategory && r.mode === mode)) return { userCategory, mode };
  return { userCategory: 'INTERNAL', mode: 'SELF' };
}

export function FeeScheduleEditor(props: {
  rows: FeeRow[];
  onChange: (rows: FeeRow[]) => void;
  /** The problem (from the form's checks or the server) at an input path such as `input.fees[0].hourlyRate`. */
  problemAt: (field: string) => string | null;
}) {
  const t = useT();
  const id = useId();
  const { rows } = props;
  const update = (index: number, patch: Partial<FeeRow>) =>
    props.onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const remove = (index: number) => props.onChange(rows.filter((_, i) => i !== index));
  const add = () => props.onChange([...rows, feeRow(unusedCombination(rows))]);

  return (
    <fieldset>
      <legend>{t('office.fees.title')}</legend>
      <p class="hint muted">{t('office.fees.hint')}</p>
      {rows.length === 0 ? (
        <p class="alert warn">{t('office.fees.empty')}</p>
      ) : (
        <div class="table-scroll">
          <table class="fee-table">
            <thead>
              <tr>
                <th scope="col">{t('office.fees.category')}</th>
                <th scope="col">{t('office.fees.mode')}</th>
                {NUMBER_COLUMNS.map((c) => (
                  <th scope="col" key={c.field}>
                    {t(c.label)}
                  </th>
                ))}
                <th scope="col">
                  <span class="visually-hidden">{t('office.fees.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => {
                const at = `input.fees[${i}]`;
                const cell = (label: string) => t('office.fees.cell', { column: label, row: i + 1 });
                const rowProblem = props.problemAt(at);
                return (
                  <tr key={row.key} class={rowProblem ? 'has-problem' : undefined}>
                    <td>
                      <select
                        aria-label={cell(t('office.fees.category'))}
                        value={row.userCategory}
                        onChange={(e) => update(i, { userCategory: e.currentTarget.value as FeeRow['userCategory'] })}
                      >
                        {USER_CATEGORIES.map((c) => (
                          <option key={c} value={c}>
                            {t(`common.category.${c}`)}
                          </option>
                        ))}
                      </select>
                      {rowProblem && (
                        <p class="problem" id={`${id}-${i}`}>
                          {rowProblem}
                        </p>
                      )}
                    </td>
                    <td>
                      <select
                        aria-label={cell(t('office.fees.mode'))}
                        aria-describedby={rowProblem ? `${id}-${i}` : undefined}
                        value={row.mode}
                        onChange={(e) => update(i, { mode: e.currentTarget.value as FeeRow['mode'] })}
                      >
                        {OPERATION_MODES.map((m) => (
                          <option key={m} value={m}>
                            {t(`common.mode.${m}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                    {NUMBER_COLUMNS.map(({ field, label }) => {
                      const problem = props.problemAt(`${at}.${field}`);
                      const problemId = `${id}-${i}-${field}`;
                      return (
                        <td key={field}>
                          <input
                            type="text"
                            inputMode="numeric"
                            class="num"
                            aria-label={cell(t(label))}
                            aria-invalid={!!problem}
                            aria-describedby={problem ? problemId : undefined}
                            value={row[field]}
                            onInput={(e) => update(i, { [field]: e.currentTarget.value })}
                          />
                          {problem && (
                            <p class="problem" id={problemId}>
                              {problem}
                            </p>
                          )}
                        </td>
                      );
                    })}
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => remove(i)}
                        aria-label={t('office.fees.removeRow', { row: i + 1 })}
                      >
                        {t('office.fees.remove')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={add}>
          {t('office.fees.add')}
        </button>
      </div>
    </fieldset>
  );
}
