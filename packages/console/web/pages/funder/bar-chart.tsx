/**
 * A horizontal bar chart of shares (0–1) as SVG, one bar per institution, with an optional target drawn as a
 * labelled line. Bars below the target are marked three ways: another fill, a hatch pattern and a text marker.
 * The page shows the same numbers in a table; the chart is a picture of them (`role="img"`).
 */
import { useId } from 'preact/hooks';
import { useLang, useT } from '../../i18n';
import { percent } from '../../format';

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** The national bar: set apart and in bold. */
  national?: boolean;
}

const WIDTH = 760;
const LABEL_WIDTH = 200;
/** Room right of the plot for the values and markers. */
const VALUE_ROOM = 150;
const ROW = 30;
const BAR = 18;
const TOP = 30;
const BOTTOM = 28;
const NATIONAL_GAP = 10;
const MAX_LABEL = 26;

/** The axis end: a little above the largest value (and the target), in tenths, at most 100%. */
function domainOf(values: number[], target: number | undefined): number {
  const top = Math.max(0.1, target ?? 0, ...values);
  return Math.min(1, Math.ceil((top + 0.05) * 10) / 10);
}

const shorten = (text: string) => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text);

export function BarChart(props: {
  title: string;
  description: string;
  bars: Bar[];
  target?: { value: number; label: string };
  testId: string;
}) {
  const t = useT();
  const lang = useLang();
  const id = useId();
  const { bars, target } = props;
  const domain = domainOf(
    bars.map((b) => b.value),
    target?.value,
  );
  const plot = WIDTH - LABEL_WIDTH - VALUE_ROOM;
  const x = (value: number) => LABEL_WIDTH + (Math.min(value, domain) / domain) * plot;
  const gap = bars.some((b) => b.national) ? NATIONAL_GAP : 0;
  const yOf = (index: number) => TOP + index * ROW + (index > 0 ? gap : 0);
  const height = yOf(bars.length) + BOTTOM;
  const step = domain <= 0.5 ? 0.1 : 0.2;
  const placed = bars.map((bar, index) => ({
    ...bar,
    y: yOf(index),
    width: Math.max(1, x(bar.value) - LABEL_WIDTH),
    below: target !== undefined && bar.value < target.value,
  }));
  const ticks = Array.from({ length: Math.round(domain / step) + 1 }, (_, i) => Math.round(i * step * 10) / 10);

  return (
    <figure class="chart" data-testid={props.testId}>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.description}</desc>
        <defs>
          <pattern id={`${id}-hatch`} patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
            <line x1="0" y1="0" x2="0" y2="6" class="hatch" />
          </pattern>
        </defs>
        {ticks.map((tick) => (
          <g key={tick} class="tick">
            <line x1={x(tick)} x2={x(tick)} y1={TOP - 4} y2={height - BOTTOM + 4} class="grid" />
            <text x={x(tick)} y={height - BOTTOM + 18} text-anchor="middle">
              {percent(tick, lang, 0)}
            </text>
          </g>
        ))}
        {placed.map((bar) => (
          <g key={bar.key} class={bar.national ? 'national' : undefined}>
            <text x={LABEL_WIDTH - 8} y={bar.y + BAR / 2 + 4} text-anchor="end" class="label">
              <title>{bar.label}</title>
              {shorten(bar.label)}
            </text>
            <rect
              x={LABEL_WIDTH}
              y={bar.y}
              width={bar.width}
              height={BAR}
              class={bar.below ? 'bar below' : 'bar'}
              data-testid={`${props.testId}-bar`}
              data-key={bar.key}
              data-below={String(bar.below)}
            />
            {bar.below && <rect x={LABEL_WIDTH} y={bar.y} width={bar.width} height={BAR} fill={`url(#${id}-hatch)`} />}
          </g>
        ))}
        {target && (
          <g class="target-group">
            <line
              x1={x(target.value)}
              x2={x(target.value)}
              y1={TOP - 10}
              y2={height - BOTTOM + 4}
              class="target"
              data-testid={`${props.testId}-target`}
            />
            <text x={x(target.value)} y={TOP - 14} text-anchor="middle" class="target-label">
              {target.label}
            </text>
          </g>
        )}
        {/* Values in their own column right of the plot, where no line crosses them. */}
        {placed.map((bar) => (
          <text key={bar.key} x={LABEL_WIDTH + plot + 12} y={bar.y + BAR / 2 + 4} class="value">
            {percent(bar.value, lang)}
            {bar.below ? ` ▼ ${t('funder.chart.belowTarget')}` : ''}
          </text>
        ))}
      </svg>
      {target && (
        <figcaption class="chart-legend">
          <span class="swatch bar-swatch" aria-hidden="true" />{' '}
          {t('funder.chart.legendAtTarget', { target: percent(target.value, lang, 0) })}
          <span class="swatch below-swatch" aria-hidden="true" /> ▼{' '}
          {t('funder.chart.legendBelow', { target: percent(target.value, lang, 0) })}
          <span class="swatch target-swatch" aria-hidden="true" /> {target.label}
        </figcaption>
      )}
    </figure>
  );
}
