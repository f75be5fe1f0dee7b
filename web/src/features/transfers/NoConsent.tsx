// Why nothing here asks a parent's consent (issue 18): the file is shared under the school's
// public task and the statutory guidance, which require it; asking would suggest a choice the
// law does not give, and could put a child at risk.
export function NoConsentNote() {
  return (
    <section aria-labelledby="no-consent-heading" className="section card">
      <h2 id="no-consent-heading">No parental consent is asked</h2>
      <p>
        Sending a child-protection file to the next school does not need a parent’s or carer’s
        consent, and Lantern does not ask for it. The school shares it to carry out its public task
        (UK GDPR Article 6(1)(e), with Article 9(2)(g) for special-category data and the Data
        Protection Act 2018’s safeguarding condition), and Keeping Children Safe in Education
        requires the designated safeguarding lead to transfer the file, separately from the main
        pupil file, within 5 school days. Asking for consent could delay the transfer or put the
        child at risk.
      </p>
    </section>
  );
}
