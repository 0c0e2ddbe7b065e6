/**
 * The confirmation step of cancelling a booking: what it would cost now (free until the instrument's
 * free-cancellation deadline, then its late share of the fee) before anything is sent, an optional reason,
 * then `cancelBooking`. Focus moves here when it opens; Escape or "back" closes it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field } from '../../components/common';
import { dateTime, yen } from '../../format';
import { useLang, useT } from '../../i18n';
import { useAction } from '../../use-api';
import { CANCEL_BOOKING, localName, type Booking } from './model';
import { previewCancellation } from './rules';

export function CancelPanel(props: { booking: Booking; onClose(): void; onCancelled(booking: Booking): void }) {
  const t = useT();
  const lang = useLang();
  const { booking } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const [reason, setReason] = useState('');
  const cancel = useAction(
    async (id: string, why: string | null) =>
      (await gql<{ cancelBooking: Booking }>(CANCEL_BOOKING, { id, reason: why })).cancelBooking,
  );
  useEffect(() => heading.current?.focus(), [booking.id]);
  const preview = previewCancellation(booking, new Date());
  const { cancellationFreeHours: hours, cancellationFeePercent: percent } = booking.instrument;

  const confirm = async () => {
    const result = await cancel.run(booking.id, reason.trim() || null);
    if (result) props.onCancelled(result);
  };

  return (
    <section
      class="panel titled cancel-panel"
      aria-labelledby="cancel-heading"
      onKeyDown={(e) => e.key === 'Escape' && !cancel.running && props.onClose()}
    >
      <h2 id="cancel-heading" ref={heading} tabIndex={-1}>
        {t('researcher.cancel.title')}
      </h2>
      <dl class="facts">
        <div>
          <dt>{t('researcher.bookings.instrument')}</dt>
          <dd>{localName(lang, booking.instrument)}</dd>
        </div>
        <div>
          <dt>{t('researcher.bookings.when')}</dt>
          <dd>{t('researcher.period', { start: dateTime(booking.start, lang), end: dateTime(booking.end, lang) })}</dd>
        </div>
        <div>
          <dt>{t('researcher.bookings.fee')}</dt>
          <dd>{yen(booking.fee, lang)}</dd>
        </div>
      </dl>
      <div class={`alert ${preview.fee > 0 ? 'warn' : 'ok'}`} data-testid="cancel-fee-preview">
        <p>
          <strong>{t('researcher.cancel.feeNow', { fee: yen(preview.fee, lang) })}</strong>
        </p>
        <p>
          {preview.pending
            ? t('researcher.cancel.pendingFree')
            : preview.fee > 0
              ? t('researcher.cancel.late', { deadline: dateTime(preview.freeUntil.toISOString(), lang), percent })
              : t('researcher.cancel.freeUntil', { deadline: dateTime(preview.freeUntil.toISOString(), lang) })}
        </p>
        <p class="small">{t('researcher.cancel.terms', { hours, percent })}</p>
      </div>
      <Field
        label={t('researcher.cancel.reason')}
        hint={t('researcher.cancel.reasonHint')}
        problem={cancel.error?.forField('reason')}
      >
        {(control) => (
          <textarea {...control} name="reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        )}
      </Field>
      <ErrorMessage error={cancel.error} />
      <div class="actions">
        <button type="button" class="danger" disabled={cancel.running} onClick={confirm}>
          {cancel.running ? t('researcher.cancel.running') : t('researcher.cancel.confirm')}
        </button>
        <button type="button" class="secondary" disabled={cancel.running} onClick={props.onClose}>
          {t('researcher.cancel.back')}
        </button>
      </div>
    </section>
  );
}
