import type { SubjectDescription } from '../../shared/schema/subject';
import type { TikvQuery } from '../types';

/** What each per-kind editor gets from QueryEditor: its query, the subject's defaults, and field errors. */
export interface KindEditorProps {
  query: TikvQuery;
  subject?: SubjectDescription;
  /** The validation message for a saved field (`limit`, `overrides.low_disk.thresholdRatio`, …), if any. */
  errorFor: (field: string) => string | undefined;
  /** Reports text typed into a number field that is not a number (undefined clears it). */
  onNotANumber: (field: string, text: string | undefined) => void;
  onChange: (query: TikvQuery) => void;
  /** Annotation queries always use the annotations format. */
  fixedFormat?: boolean;
}
