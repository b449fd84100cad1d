import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { ROUTES } from '../../constants';

const Cluster = React.lazy(() => import('../../pages/Cluster'));
const Invariants = React.lazy(() => import('../../pages/Invariants'));

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Invariants} element={<Invariants />} />
      {/* The Actions page (PD operator actions, issue on actions) gets its route here: ROUTES.Actions. */}
      {/* Default page */}
      <Route path="*" element={<Cluster />} />
    </Routes>
  );
}

export default App;
