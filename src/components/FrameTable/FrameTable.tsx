import React from 'react';
import { css } from '@emotion/css';
import {
  type DataFrame,
  formattedValueToString,
  getDisplayProcessor,
  type GrafanaTheme2,
  locationUtil,
} from '@grafana/data';
import { Text, useStyles2, useTheme2 } from '@grafana/ui';

interface Props {
  frame?: DataFrame;
  empty: string;
  testId?: string;
  /** A last column with something to do with the row (a link to the Actions page, …). */
  rowAction?: (row: number) => React.ReactNode;
  /** A Grafana path (e.g. `/d/<uid>/…`) a cell links to, by field name (not display name) and row; none = text. */
  cellLink?: (field: string, row: number) => string | undefined;
}

/**
 * A plain table of one frame, each value formatted by its field's unit (bytes, percentunit, dateTimeAsIso, …) with
 * Grafana's display processor, so the pages show what a table panel would.
 */
export function FrameTable({ frame, empty, testId, rowAction, cellLink }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  if (!frame || frame.length === 0) {
    return (
      <div data-testid={testId}>
        <Text color="secondary">{empty}</Text>
      </div>
    );
  }
  const columns = frame.fields.map((field) => ({
    field: field.name,
    name: field.config.displayName ?? field.name,
    display: field.display ?? getDisplayProcessor({ field, theme }),
    values: field.values,
  }));
  return (
    <table className={styles.table} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.name}>{c.name}</th>
          ))}
          {rowAction && <th />}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: frame.length }, (_, row) => (
          <tr key={row}>
            {columns.map((c) => {
              const text = c.values[row] == null ? '' : formattedValueToString(c.display(c.values[row]));
              const href = text === '' ? undefined : cellLink?.(c.field, row);
              return (
                <td key={c.name}>
                  {href ? (
                    // A plain link (Grafana routes in-app `<a href>` clicks itself; a router Link would stay inside
                    // the app's own router), under Grafana's sub path (appSubUrl) when it has one.
                    <a className={styles.link} href={locationUtil.assureBaseUrl(href)}>
                      {text}
                    </a>
                  ) : (
                    text
                  )}
                </td>
              );
            })}
            {rowAction && <td>{rowAction(row)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      whiteSpace: 'nowrap',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  link: css({
    color: theme.colors.text.link,
    '&:hover': { textDecoration: 'underline' },
  }),
});
