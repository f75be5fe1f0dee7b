// What a PDF says about its accessibility, read by a real PDF parser (pdf.js, through unpdf) the
// way a screen reader's host reads it: whether it is marked as tagged (MarkInfo /Marked), its
// language and title, whether the reader shows that title, and its structure tree — the roles of
// the structure elements in reading order, and the text of each heading and table cell.
import { getDocumentProxy } from 'unpdf';

type Node = { role?: string; type?: string; id?: string; children?: Node[] };

export type PdfStructure = {
  marked: boolean;
  lang: string | null;
  title: string | null;
  displayTitle: boolean;
  pages: number;
  /**
   * Every structure element's role, depth first in reading order, page after page; a container on
   * several pages (a table, the document) may be listed again for each. Each row, cell, heading
   * and paragraph is listed once.
   */
  roles: string[];
  /** The elements with the given roles and the text each holds, in reading order. */
  texts(...roles: string[]): { role: string; text: string }[];
};

export async function pdfStructure(bytes: Uint8Array | Buffer): Promise<PdfStructure> {
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const mark = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
  const meta = (await doc.getMetadata()) as unknown as { info: Record<string, unknown> };
  const prefs = (await doc.getViewerPreferences()) as Record<string, unknown> | null;
  const elements: { role: string; ids: string[] }[] = [];
  const content = new Map<string, string>();
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    // Marked-content ids join the structure tree to the page's text.
    const text = await page.getTextContent({ includeMarkedContent: true });
    let current: string | null = null;
    for (const item of text.items as {
      type?: string;
      id?: string;
      str?: string;
      hasEOL?: boolean;
    }[]) {
      if (item.type === 'beginMarkedContentProps' && item.id) current = item.id;
      else if (item.type === 'endMarkedContent') current = null;
      else if (current && typeof item.str === 'string')
        content.set(current, (content.get(current) ?? '') + item.str + (item.hasEOL ? ' ' : ''));
    }
    const tree = (await page.getStructTree()) as Node | null;
    // Depth first, each element before its children; its content ids filled in on the way back.
    const walk = (node: Node): string[] => {
      if (node.type === 'content' && node.id) return [node.id];
      const at =
        node.role && node.role !== 'Root' ? elements.push({ role: node.role, ids: [] }) : 0;
      const ids = (node.children ?? []).flatMap(walk);
      if (at > 0) elements[at - 1]!.ids = ids;
      return ids;
    };
    if (tree) walk(tree);
  }
  // pdf.js gives each page the elements with content on it, and with them more of a table that
  // crosses it: an element with no content here is left out, and one seen already (its role and
  // content) is kept once. A container crossing pages (a table, the document) may stay twice.
  const seen = new Set<string>();
  const unique = elements.filter((e) => {
    if (e.ids.length === 0) return false;
    const key = `${e.role}|${e.ids.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const roles = unique.map((e) => e.role);
  return {
    marked: mark?.Marked === true,
    lang: typeof meta.info.Language === 'string' ? meta.info.Language : null,
    title: typeof meta.info.Title === 'string' ? meta.info.Title : null,
    displayTitle: prefs?.DisplayDocTitle === true,
    pages: doc.numPages,
    roles,
    texts: (...wanted) =>
      unique
        .filter((e) => wanted.includes(e.role))
        .map((e) => ({
          role: e.role,
          text: e.ids
            .map((id) => content.get(id) ?? '')
            .join('')
            .replace(/\s+/g, ' ')
            .trim(),
        })),
  };
}
