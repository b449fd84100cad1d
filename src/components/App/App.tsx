import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { ROUTES } from '../../constants';

const Cluster = React.lazy(() => import('../../pages/Cluster'));
const Invariants = React.lazy(() => import('../../pages/Invariants'));
const Actions = React.lazy(() => import('../../pages/Actions'));

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Invariants} element={<Invariants />} />
      <Route path={ROUTES.Actions} element={<Actions />} />
      {/* Default page */}
      <Route path="*" element={<Cluster />} />
    </Routes>
  );
}

export default App;
