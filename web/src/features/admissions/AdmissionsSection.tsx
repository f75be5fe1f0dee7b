// The admission forms' section of "Parents and forms" (issue 21), routed at /parents/admissions/*:
// the forms, one form, a sent-back form's review, and the write-back queue.
import { Route, Routes } from 'react-router';
import { AdmissionsPage } from './AdmissionsPage.tsx';
import { AdmissionFormPage } from './AdmissionFormPage.tsx';
import { ReviewPage } from './ReviewPage.tsx';
import { WritebackPage } from './WritebackPage.tsx';

export default function AdmissionsSection() {
  return (
    <Routes>
      <Route index element={<AdmissionsPage />} />
      <Route path="writeback" element={<WritebackPage />} />
      <Route path="review/:id" element={<ReviewPage />} />
      <Route path=":id" element={<AdmissionFormPage />} />
    </Routes>
  );
}
