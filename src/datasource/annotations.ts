/**
 * Annotation queries: an invariant or audit query in the `annotations` format, or forecast warnings (`get_forecasts`
 * with a horizon), whose frames (fields time, timeEnd, title, text, tags) become regions from a violation's first to
 * its last sighting, an action's start to its end, or now to a forecast crossing (frames without a `time` field,
 * such as the forecasts table itself, are skipped). Field names follow Grafana's
 * standardAnnotationSupport.ts, which matches them case-insensitively.
 */
import type { AnnotationEvent, AnnotationQuery, AnnotationSupport, DataFrame, Field } from '@grafana/data';
import { of } from 'rxjs';

import { annotationKind } from './annotationKind';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import type { TikvQuery } from './types';

export const ANNOTATION_REF_ID = 'Anno';

const DEFAULT_ANNOTATION_QUERY: Partial<TikvQuery> = { kind: 'invariant', invariants: [], format: 'annotations' };
/** How far ahead forecast warnings look when the annotation does not say. */
export const DEFAULT_FORECAST_HORIZON = '24h';

function fieldNamed(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

function asTags(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map(String);
  }
  if (typeof value === 'string' && value !== '') {
    return value
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
  }
  return [];
}

export function framesToEvents(frames: DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = fieldNamed(frame, 'time');
    if (!time) {
      continue;
    }
    const [timeEnd, title, text, tags] = ['timeEnd', 'title', 'text', 'tags'].map((n) => fieldNamed(frame, n));
    for (let i = 0; i < frame.length; i++) {
      const start = Number(time.values[i]);
      const end = timeEnd?.values[i] == null ? undefined : Number(timeEnd.values[i]);
      events.push({
        time: start,
        timeEnd: end,
        // Grafana draws a region only when the end differs from the start.
        isRegion: end !== undefined && end !== start,
        title: title?.values[i] == null ? undefined : String(title.values[i]),
        text: text?.values[i] == null ? undefined : String(text.values[i]),
        tags: asTags(tags?.values[i]),
      });
    }
  }
  return events;
}

export function annotationSupport(): AnnotationSupport<TikvQuery> {
  return {
    getDefaultQuery: () => DEFAULT_ANNOTATION_QUERY,
    // Whatever the stored target says, an annotation asks for regions; a new annotation checks every invariant.
    prepareQuery: (anno: AnnotationQuery<TikvQuery>) => {
      const kind = annotationKind(anno.target);
      return kind === 'observation'
        ? // Forecast warnings: the forecasts within the horizon (24 h unless set) as regions from now to the crossing.
          {
            ...anno.target,
            refId: anno.target?.refId || ANNOTATION_REF_ID,
            kind,
            observation: 'get_forecasts',
            horizon: anno.target?.horizon || DEFAULT_FORECAST_HORIZON,
          }
        : {
            ...DEFAULT_ANNOTATION_QUERY,
            ...anno.target,
            refId: anno.target?.refId || ANNOTATION_REF_ID,
            kind,
            format: 'annotations',
          };
    },
    processEvents: (_anno, frames) => of(framesToEvents(frames)),
    QueryEditor: AnnotationQueryEditor,
  };
}
