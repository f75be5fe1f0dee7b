// "Medical and care profiles" in Parents and forms (/parents/medical/…): finding a pupil, one
// pupil's profile, and the plans due for review.
import { Route, Routes } from 'react-router';
import { MedicalPage, PupilMedicalPage, ReviewsPage } from './MedicalPage.tsx';

export default function MedicalSection() {
  return (
    <Routes>
      <Route index element={<MedicalPage />} />
      <Route path="reviews" element={<ReviewsPage />} />
      <Route path=":id" element={<PupilMedicalPage />} />
    </Routes>
  );
}
