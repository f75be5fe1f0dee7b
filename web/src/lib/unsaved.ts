// What is typed on this page and not yet saved as a record, by form. The session bar asks before
// it lets a records window that has ended reload the page (which would take the form away): while
// anything is unsaved the page stays, and the form asks for the second factor in place when it is
// saved. Forms with a draft (useDraft) report here; nothing here holds what was typed.
const unsaved = new Set<string>();

export function markUnsaved(form: string, isUnsaved: boolean): void {
  if (isUnsaved) unsaved.add(form);
  else unsaved.delete(form);
}

export function hasUnsaved(): boolean {
  return unsaved.size > 0;
}
