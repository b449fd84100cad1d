import React from 'react';
import { Alert } from '@grafana/ui';

import { copy, testIds } from '../../components/testIds';
import type { ExecuteAnswer } from '../../shared/schema/actions';
import type { OperatorError } from '../../shared/errors';
import { show } from './PreflightResult';

export type Outcome = { result: ExecuteAnswer } | { error: OperatorError };

/**
 * The preflight's reasons of a refused action. The data source and the app are separate bundles in Grafana (two
 * copies of ActionUnsafeError), so the error is recognised by its fields, not with instanceof.
 */
function reasonsOf(error: OperatorError): string[] | undefined {
  const reasons: unknown = (error as { reasons?: unknown }).reasons;
  return Array.isArray(reasons) ? reasons.map(String) : undefined;
}

/** After Confirm: PD's answer and what PD shows now, or why nothing was done (the preflight's reasons, PD's words). */
export function ActionOutcome({ outcome }: { outcome: Outcome }) {
  if ('error' in outcome) {
    const { error } = outcome;
    const reasons = reasonsOf(error);
    return (
      <div data-testid={testIds.actions.outcome}>
        <Alert severity="error" title={copy.actions.failed}>
          {reasons ? (
            <ul>
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            error.message
          )}
        </Alert>
      </div>
    );
  }
  const { result } = outcome;
  return (
    <div data-testid={testIds.actions.outcome}>
      <Alert severity="success" title={`${copy.actions.done}: ${result.action}`}>
        <div>
          {copy.actions.pdAnswer}: {result.pdAnswer}
        </div>
        <div>
          {copy.actions.effect}:{' '}
          {Object.entries(result.effect)
            .map(([k, v]) => `${k} = ${show(v)}`)
            .join('; ')}
        </div>
        <div>
          {copy.actions.auditId} #{result.audit_id}
        </div>
      </Alert>
    </div>
  );
}
