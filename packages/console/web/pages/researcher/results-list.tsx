/**
 * Search results as a list: each instrument with its institution, category, acquisition price, distance
 * (when known), earliest free time (when asked) and what one hour of self use would cost me.
 */
import { dateTime, number, yen } from '../../format';
import { useLang, useT } from '../../i18n';
import { href } from '../../router';
import { session, userCategoryAt } from '../../session';
import { useStore } from '../../store';
import { localName, type SearchEdge } from './model';
import { InstrumentBadges } from './parts';
import { hourlyRate } from './rules';

export function ResultsList(props: { edges: SearchEdge[] }) {
  return (
    <ol class="results">
      {props.edges.map((edge) => (
        <ResultItem key={edge.node.id} edge={edge} />
      ))}
    </ol>
  );
}

function ResultItem(props: { edge: SearchEdge }) {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  const { node, distanceKm, availableFrom } = props.edge;
  const category = userCategoryAt(viewer, node.institution.code);
  const rate = hourlyRate(node.fees, category);
  return (
    <li class="result">
      <h3>
        <a href={href(`/instruments/${node.id}`)}>{localName(lang, node)}</a>
      </h3>
      <p class="muted">
        {t('researcher.result.where', {
          institution: localName(lang, node.institution),
          prefecture: node.institution.prefecture,
          category: node.category,
        })}
      </p>
      <InstrumentBadges instrument={node} />
      <dl class="facts">
        <div>
          <dt>{t('researcher.result.myFee', { category: t(`common.category.${category}`) })}</dt>
          <dd>{rate === null ? t('researcher.result.notOffered') : t('researcher.perHour', { amount: yen(rate, lang) })}</dd>
        </div>
        <div>
          <dt>{t('researcher.result.price')}</dt>
          <dd>{yen(node.acquisitionPrice, lang)}</dd>
        </div>
        {distanceKm !== null && (
          <div>
            <dt>{t('researcher.result.distance')}</dt>
            <dd>{t('researcher.km', { km: number(distanceKm, lang, 1) })}</dd>
          </div>
        )}
        {availableFrom && (
          <div>
            <dt>{t('researcher.result.availableFrom')}</dt>
            <dd>{dateTime(availableFrom, lang)}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}
