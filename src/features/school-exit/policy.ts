// Who may take a school's data out of Lantern in the app (issue 15): an administrator of the
// school (the `admin` ability) who has just confirmed it is them with a second factor. Anyone else
// is refused (403); an administrator with a password alone is asked to step up (403
// step_up_required). The operator's commands (cli/school-exit-command.ts) are outside this: they
// run on the server with the owner's login. To change safely: keep the access rows in
// http/access-matrix.test.ts and app-export.test.ts passing.
import type { Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';

/** Asking for, following, downloading and confirming the school's export. */
export function requireSchoolExport(actor: Actor): void {
  requireAbility(actor, 'admin');
}
