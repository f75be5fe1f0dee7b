// The address of the school's public complaint form (issue 17), for its website and privacy
// notice: anyone may complain there with no account. The school is named by its id, as the
// public routes name it.
import { useSession } from '../../../app/session.tsx';

export function PublicComplaintLink() {
  const { school } = useSession();
  const url = `${window.location.origin}/complaints/new?school=${school.id}`;
  return (
    <p>
      The public complaint form, to link from the school&apos;s website and privacy notice:{' '}
      <a href={url}>{url}</a>
    </p>
  );
}
