import React, { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, InlineField, Select, Stack, Text } from '@grafana/ui';

import { PageToolbar } from '../components/PageToolbar/PageToolbar';
import { FrameTable } from '../components/FrameTable/FrameTable';
import { QueryErrors } from '../components/QueryErrors/QueryErrors';
import { copy, testIds } from '../components/testIds';
import type { PreflightAnswer } from '../shared/schema/actions';
import { selectors } from '../datasource/components/selectors';
import type { DataSource } from '../datasource/datasource';
import type { OperatorError } from '../shared/errors';
import { ACTIONS, type ActionName } from '../shared/names';
import { TIKV_CONFIG } from '../subject/tikv/config';
import { useTikvDataSource } from '../utils/tikvDataSource';
import { useDataSourceParam } from '../utils/dataSourceParam';
import { ActionForm } from './actions/ActionForm';
import { ActionOutcome, type Outcome } from './actions/ActionOutcome';
import { type FormValues, initialValues, prefillFrom, toParams } from './actions/actionFields';
import { PreflightResult } from './actions/PreflightResult';
import { useAuditTrail } from './actions/useAuditTrail';

type ActionsApi = Pick<DataSource, 'preflightAction' | 'executeAction' | 'auditTrail'>;

const AUDIT_WINDOW_MS = 7 * 24 * 3_600_000;
const ACTION_OPTIONS = ACTIONS.map((value) => ({
  label: selectors.actionNames[value],
  value,
  description: TIKV_CONFIG.actions[value].description,
}));

/** The data source's action methods, when the picked instance has them (checked by shape: it is another bundle). */
function actionsApi(ds: unknown): ActionsApi | undefined {
  const api = ds as Partial<ActionsApi> | undefined;
  return typeof api?.preflightAction === 'function' &&
    typeof api.executeAction === 'function' &&
    typeof api.auditTrail === 'function'
    ? (api as ActionsApi)
    : undefined;
}

/**
 * PD's operator actions, guarded: fill the action's PD parameters, Check (the backend's dry run against live PD
 * state), then Confirm, which the backend runs only after repeating the checks; every run lands in the audit trail.
 */
function Actions() {
  const [search] = useSearchParams();
  const [prefill] = useState(() => prefillFrom(search));
  const [uid, setUid] = useDataSourceParam();
  const [action, setAction] = useState<ActionName>(prefill.action ?? 'transfer_leader');
  const [values, setValues] = useState<FormValues>(() => initialValues(action, prefill.values));
  const [problem, setProblem] = useState<{ field: string; error: string }>();
  const [preflight, setPreflight] = useState<PreflightAnswer>();
  const [checkError, setCheckError] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const { ds, error } = useTikvDataSource(uid);
  const api = actionsApi(ds);
  // Full rows through the actions route: this page is Admin-only, like the actions themselves.
  const audit = useAuditTrail(api, AUDIT_WINDOW_MS, `actions-audit-${uid}-${tick}`);

  // Any change makes the last Check stale: Confirm needs a Check of exactly what would run.
  const reset = () => {
    setProblem(undefined);
    setPreflight(undefined);
    setCheckError(undefined);
    setOutcome(undefined);
  };
  const pick = (next: ActionName) => {
    reset();
    setAction(next);
    setValues(initialValues(next));
  };
  const edit = (next: FormValues) => {
    reset();
    setValues(next);
  };

  const check = async () => {
    reset();
    const parsed = toParams(action, values);
    if ('error' in parsed) {
      setProblem(parsed);
      return;
    }
    if (!api) {
      return;
    }
    setBusy(true);
    try {
      setPreflight(await api.preflightAction(action, parsed.params));
    } catch (err) {
      setCheckError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!api || !preflight) {
      return;
    }
    setBusy(true);
    try {
      setOutcome({ result: await api.executeAction(action, preflight.params) });
    } catch (err) {
      setOutcome({ error: err as OperatorError });
    } finally {
      setBusy(false);
      setTick((t) => t + 1);
    }
  };

  return (
    <PluginPage>
      <div data-testid={testIds.actions.container}>
        <Stack direction="column" gap={2}>
          {/* Refresh re-reads the audit trail: other operators' actions land there too. */}
          <PageToolbar uid={uid} onUidChange={setUid} onRefresh={() => setTick((t) => t + 1)} canRefresh={Boolean(ds)} />
          {error && <Alert severity="warning" title={error} />}
          {ds && !api && <Alert severity="warning" title={copy.actions.notOurs} />}
          <InlineField label={copy.actions.action} labelWidth={14} htmlFor="tikv-action-name">
            <Select
              inputId="tikv-action-name"
              width={40}
              options={ACTION_OPTIONS}
              value={action}
              onChange={(v) => v.value && pick(v.value)}
            />
          </InlineField>
          <Text color="secondary">{TIKV_CONFIG.actions[action].description}</Text>
          <ActionForm action={action} values={values} problem={problem} onChange={edit} />
          <Stack direction="row">
            <Button icon="check" variant="secondary" onClick={check} disabled={!api || busy}>
              {copy.actions.check}
            </Button>
            <Button
              icon="play"
              variant="destructive"
              onClick={confirm}
              disabled={!api || busy || !preflight?.safe || outcome !== undefined}
            >
              {copy.actions.confirm}
            </Button>
          </Stack>
          {checkError && (
            <Alert severity="error" title={copy.actions.checkFailed}>
              {checkError}
            </Alert>
          )}
          {preflight && <PreflightResult preflight={preflight} />}
          {outcome && <ActionOutcome outcome={outcome} />}
          <Text element="h3">{copy.actions.audit}</Text>
          <QueryErrors errors={audit.errors} titles={{ audit: copy.actions.audit }} />
          <FrameTable
            frame={audit.frame}
            empty={copy.actions.noAudit}
            testId={testIds.actions.audit}
          />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Actions;
