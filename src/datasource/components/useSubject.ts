import { useEffect, useState } from 'react';

import type { SubjectDescription } from '../../shared/schema/subject';
import type { DataSource } from '../datasource';

/** The subject's descriptions and defaults; the editors still work without them (names only). */
export function useSubject(datasource: DataSource): { subject?: SubjectDescription; error?: string } {
  const [state, setState] = useState<{ subject?: SubjectDescription; error?: string }>({});
  useEffect(() => {
    let live = true;
    datasource.getSubject().then(
      (subject) => live && setState({ subject }),
      (err: Error) => live && setState({ error: err.message })
    );
    return () => {
      live = false;
    };
  }, [datasource]);
  return state;
}
