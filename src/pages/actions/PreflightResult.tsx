import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Icon, Stack, Text, useStyles2 } from '@grafana/ui';

import { copy, testIds } from '../../components/testIds';
import type { PreflightAnswer } from '../../shared/schema/actions';

/** A value as PD has it, or as asked: arrays joined, absent shown as a dash. */
export function show(value: unknown): string {
  if (value === undefined || value === null) {
    return '–';
  }
  if (Array.isArray(value)) {
    return value.map(show).join(', ');
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** What the action would do, each check with its detail, and the values it changes: now in PD next to asked. */
export function PreflightResult({ preflight }: { preflight: PreflightAnswer }) {
  const styles = useStyles2(getStyles);
  const current = Object.entries(preflight.current ?? {});
  return (
    <div data-testid={testIds.actions.preflight}>
      <Alert
        severity={preflight.safe ? 'success' : 'warning'}
        title={preflight.safe ? copy.actions.safe : copy.actions.unsafe}
      >
        {preflight.summary}
      </Alert>
      <Stack direction="column" gap={1}>
        <Text element="h5">{copy.actions.checks}</Text>
        <ul className={styles.checks}>
          {preflight.checks.map((c) => (
            <li key={c.name}>
              <Icon
                name={!c.ok ? 'times-circle' : c.warning ? 'exclamation-triangle' : 'check-circle'}
                className={!c.ok ? styles.failed : c.warning ? styles.warning : styles.ok}
              />{' '}
              <Text weight="medium">{c.name}</Text>{' '}
              <Text color={!c.ok ? 'error' : c.warning ? 'warning' : 'secondary'}>
                {!c.ok ? 'failed' : c.warning ? 'warning' : 'ok'}
              </Text>
              {': '}
              <Text>{c.detail}</Text>
            </li>
          ))}
        </ul>
        {current.length > 0 && (
          <table className={styles.table}>
            <thead>
              <tr>
                <th />
                <th>{copy.actions.current}</th>
                <th>{copy.actions.asked}</th>
              </tr>
            </thead>
            <tbody>
              {current.map(([key, now]) => (
                <tr key={key}>
                  <th>{key}</th>
                  <td>{show(now)}</td>
                  <td>{show(preflight.params[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  checks: css({ listStyle: 'none', margin: 0, padding: 0, 'li + li': { marginTop: theme.spacing(0.5) } }),
  ok: css({ color: theme.colors.success.text }),
  failed: css({ color: theme.colors.error.text }),
  warning: css({ color: theme.colors.warning.text }),
  table: css({
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.5, 1.5),
      textAlign: 'left',
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    'thead th': { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
