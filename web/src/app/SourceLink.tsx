// The link to Lantern's source that every screen carries: Lantern is AGPL-3.0, and a network
// service must offer the people using it the source of the version they use (§13). The address
// comes from the server (LANTERN_SOURCE_URL, in the session answer); the signed-out screens,
// which have no session yet, use the upstream default that src/config.ts also falls back to.

/** Keep equal to DEFAULT_SOURCE_URL in src/config.ts (a test compares them). */
export const UPSTREAM_SOURCE_URL = 'https://github.com/lantern-safeguarding/lantern';

export function SourceFooter({ href }: { href?: string | undefined }) {
  return (
    <footer className="site-footer">
      <a href={href ?? UPSTREAM_SOURCE_URL} rel="noreferrer">
        Source code (AGPL-3.0)
      </a>
    </footer>
  );
}
