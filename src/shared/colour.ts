// The colour rule a category must meet, shared by the server (which refuses a colour that fails)
// and the web app (which shows the refusal live as the colour is chosen): white text on a
// category's colour must reach WCAG AA contrast. No Node, no database.

/** Text on a category's colour is white. */
export const TEXT_COLOUR_ON_CATEGORY = '#ffffff';

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = match.slice(1).map((part) => channel(parseInt(part, 16)));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/** WCAG 2 contrast ratio between two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The WCAG AA contrast for normal text: what white text on a category's colour must reach. */
export const MIN_CATEGORY_CONTRAST = 4.5;

/**
 * Why a school's category colour is refused, or null when white text on it reads at WCAG AA.
 * The same rule as the default set's (the test above checks those), applied by the category
 * editor on the server (src/features/categories/) and shown live in the web page.
 */
export function categoryColourProblem(colour: string): string | null {
  if (!/^#[0-9a-f]{6}$/i.test(colour))
    return `The colour must be written #rrggbb, not "${colour}".`;
  const ratio = contrastRatio(colour, TEXT_COLOUR_ON_CATEGORY);
  if (ratio >= MIN_CATEGORY_CONTRAST) return null;
  const shown = Math.floor(ratio * 10) / 10;
  return (
    `The colour ${colour.toLowerCase()} is too light: white text on it has a contrast of ` +
    `${shown}:1 and needs at least ${MIN_CATEGORY_CONTRAST}:1 to be legible (WCAG AA). ` +
    'Choose a darker colour.'
  );
}

/** The text colour (white or near-black) that reads best on a background, for schools' colours. */
export function readableTextColour(background: string): '#ffffff' | '#1a1a1a' {
  return contrastRatio(background, '#ffffff') >= contrastRatio(background, '#1a1a1a')
    ? '#ffffff'
    : '#1a1a1a';
}
