// The consent forms' section of "Parents and forms" (issue 21), routed at /parents/consents/*.
import { Route, Routes } from 'react-router';
import { ConsentsPage } from './ConsentsPage.tsx';
import { ConsentFormPage } from './ConsentFormPage.tsx';

export default function ConsentsSection() {
  return (
    <Routes>
      <Route index element={<ConsentsPage />} />
      <Route path=":id" element={<ConsentFormPage />} />
    </Routes>
  );
}
