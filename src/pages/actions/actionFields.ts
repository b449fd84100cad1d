/**
 * The form of each action: its fields under PD's parameter names (src/subject/tikv/config.ts ActionParams), how typed
 * text becomes the params the backend validates, and the prefill read from the page's URL
 * (`?action=drain_store&store_id=4`), which the Cluster page's "Drain…" and "Transfer leader…" links use.
 */
import { fieldPath } from '../../shared/fieldPath';
import { ActionParams, DRAIN_MODES, SPLIT_POLICIES } from '../../subject/tikv/config';
import { ACTIONS, type ActionName } from '../../shared/names';

export type FieldSpec =
  | { name: string; type: 'number'; hint: string }
  | { name: string; type: 'choice'; options: readonly string[]; hint: string }
  /** Free text (a scheduler name); the backend's schema and preflight check it. */
  | { name: string; type: 'text'; hint: string }
  /** Hex keys, comma- or space-separated; only asked when `when` holds. */
  | { name: string; type: 'keys'; hint: string; when: (values: FormValues) => boolean };

export type FormValues = Record<string, string>;

export const ACTION_FIELDS: Record<ActionName, FieldSpec[]> = {
  transfer_leader: [
    { name: 'region_id', type: 'number', hint: 'the region whose leader moves' },
    { name: 'to_store_id', type: 'number', hint: 'a store holding a voter peer of the region' },
  ],
  split_region: [
    { name: 'region_id', type: 'number', hint: 'the region to split' },
    { name: 'policy', type: 'choice', options: SPLIT_POLICIES, hint: 'how PD picks the split key' },
    { name: 'keys', type: 'keys', hint: 'hex split keys, comma-separated', when: (v) => v.policy === 'usekey' },
  ],
  set_leader_schedule_limit: [
    { name: 'leader-schedule-limit', type: 'number', hint: 'concurrent leader transfers (0 stops them)' },
  ],
  set_region_schedule_limit: [
    { name: 'region-schedule-limit', type: 'number', hint: 'concurrent peer moves (0 stops them)' },
  ],
  set_replica_schedule_limit: [
    { name: 'replica-schedule-limit', type: 'number', hint: 'concurrent replica repairs (0 stops them)' },
  ],
  drain_store: [
    { name: 'store_id', type: 'number', hint: 'the store to drain' },
    {
      name: 'mode',
      type: 'choice',
      options: DRAIN_MODES,
      hint: 'leaders only, the whole store, or the undo of either',
    },
  ],
  set_low_space_threshold: [
    { name: 'low-space-ratio', type: 'number', hint: 'used ratio above which PD stops moving data onto a store' },
  ],
  cancel_operator: [{ name: 'region_id', type: 'number', hint: 'the region whose running operator PD cancels' }],
  pause_scheduler: [
    { name: 'name', type: 'text', hint: 'a scheduler PD runs, e.g. balance-leader-scheduler' },
    { name: 'delay', type: 'number', hint: 'seconds until PD resumes it on its own' },
  ],
  resume_scheduler: [{ name: 'name', type: 'text', hint: 'a paused scheduler, e.g. balance-leader-scheduler' }],
};

/** The first value of each choice, so a form starts valid where PD has a usual choice. */
export function initialValues(action: ActionName, prefill: FormValues = {}): FormValues {
  const values: FormValues = {};
  for (const f of ACTION_FIELDS[action]) {
    values[f.name] = prefill[f.name] ?? (f.type === 'choice' ? f.options[0] : '');
  }
  return values;
}

/** `?action=…&<PD param>=…` → the action to open and its prefilled fields; an unknown action opens the default. */
export function prefillFrom(search: URLSearchParams): { action?: ActionName; values: FormValues } {
  const name = search.get('action');
  const action = ACTIONS.find((a) => a === name);
  if (!action) {
    return { values: {} };
  }
  const values: FormValues = {};
  for (const f of ACTION_FIELDS[action]) {
    const v = search.get(f.name);
    if (v !== null) {
      values[f.name] = v;
    }
  }
  return { action, values };
}

export type ParamsResult = { params: Record<string, unknown> } | { field: string; error: string };

/** Typed text → the action's params, checked by the same zod schema the backend uses; the first problem names its field. */
export function toParams(action: ActionName, values: FormValues): ParamsResult {
  const params: Record<string, unknown> = {};
  for (const f of ACTION_FIELDS[action]) {
    const text = (values[f.name] ?? '').trim();
    if (f.type === 'keys' && !f.when(values)) {
      continue;
    }
    if (text === '') {
      return { field: f.name, error: `${f.name}: required` };
    }
    if (f.type === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n)) {
        return { field: f.name, error: `${f.name}: "${text}" is not a number` };
      }
      params[f.name] = n;
    } else if (f.type === 'keys') {
      params[f.name] = text.split(/[\s,]+/).filter((k) => k !== '');
    } else {
      params[f.name] = text;
    }
  }
  const parsed = ActionParams[action].safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldPath(issue.path) || ACTION_FIELDS[action][0].name;
    return { field: String(issue.path[0] ?? ACTION_FIELDS[action][0].name), error: `${field}: ${issue.message}` };
  }
  return { params: parsed.data as Record<string, unknown> };
}
