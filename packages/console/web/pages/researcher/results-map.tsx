/**
 * The search results on a map of Japan: the coastline (fetched once from `/console/japan.json`) as SVG, and
 * one marker button per place (an instrument's own location, else its institution's campus), sized by how
 * many results are there. Choosing a marker narrows the list to that place.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLang, useT } from '../../i18n';
import { groupByPlace, MAP_HEIGHT, MAP_WIDTH, outlinePath, type Outline, type Place } from './map-geometry';
import { localName, type SearchEdge } from './model';

let outlineRequest: Promise<Outline> | null = null;

/** Japan's outline, asked for once per page load (a failed request is asked again next time). */
function loadOutline(): Promise<Outline> {
  outlineRequest ??= fetch('/console/japan.json').then((response) => {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json() as Promise<Outline>;
  });
  outlineRequest.catch(() => (outlineRequest = null));
  return outlineRequest;
}

function useOutlinePath(): { path: string | null; failed: boolean } {
  const [state, setState] = useState<{ path: string | null; failed: boolean }>({ path: null, failed: false });
  useEffect(() => {
    let live = true;
    loadOutline().then(
      (outline) => live && setState({ path: outlinePath(outline), failed: false }),
      () => live && setState({ path: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

export type ResultPlace = Place<SearchEdge>;

/** Where results stand: the instrument's own coordinates, else its institution's campus. */
export function placesOf(edges: SearchEdge[]): ResultPlace[] {
  return groupByPlace(
    edges,
    (edge) => edge.node.location ?? edge.node.institution.location,
    (edge) => edge.node.id,
  );
}

/** The institutions at a place, in the reader's language (a place is usually one campus). */
export function placeName(place: ResultPlace, lang: 'ja' | 'en'): string {
  const names = [...new Set(place.items.map((edge) => localName(lang, edge.node.institution)))];
  return names.join(lang === 'ja' ? '・' : ', ');
}

const MARKER_MIN_PX = 26;
const MARKER_MAX_PX = 52;

export function ResultsMap(props: { places: ResultPlace[]; selected: string | null; onSelect(key: string | null): void }) {
  const t = useT();
  const lang = useLang();
  const outline = useOutlinePath();
  const most = useMemo(() => Math.max(1, ...props.places.map((p) => p.items.length)), [props.places]);
  const size = (count: number) =>
    Math.round(MARKER_MIN_PX + (MARKER_MAX_PX - MARKER_MIN_PX) * Math.sqrt((count - 1) / Math.max(1, most - 1)));

  return (
    <figure class="map results-map">
      <figcaption>{t('researcher.map.caption')}</figcaption>
      <div class="map-canvas">
        <svg viewBox={`0 0 ${MAP_WIDTH.toFixed(0)} ${MAP_HEIGHT.toFixed(0)}`} role="img" aria-label={t('researcher.map.label')}>
          {outline.path && <path class="land" d={outline.path} fill-rule="evenodd" />}
        </svg>
        {props.places.map((place) => {
          const count = place.items.length;
          const px = size(count);
          const selected = props.selected === place.key;
          return (
            <button
              key={place.key}
              type="button"
              class={`map-marker${selected ? ' selected' : ''}`}
              style={{
                left: `${(place.x / MAP_WIDTH) * 100}%`,
                top: `${(place.y / MAP_HEIGHT) * 100}%`,
                width: `${px}px`,
                height: `${px}px`,
              }}
              aria-pressed={selected}
              aria-label={t('researcher.map.marker', { place: placeName(place, lang), count })}
              onClick={() => props.onSelect(selected ? null : place.key)}
            >
              {count}
            </button>
          );
        })}
      </div>
      {outline.failed && <p class="muted">{t('researcher.map.outlineFailed')}</p>}
      {props.places.length === 0 && <p class="muted">{t('researcher.map.none')}</p>}
    </figure>
  );
}
