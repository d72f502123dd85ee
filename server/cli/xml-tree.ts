// A small reader of well-formed XML into a tree of elements (name with its prefix, attributes, text, line), enough
// for validate:manifest to check what the schema cannot. No DTDs, no CDATA handling beyond keeping it as text; the
// schema check runs first, so this only ever reads documents libxml2 already parsed. Imports nothing.

export interface XmlElement {
  /** The name as written, prefix included (`bt:Image`). */
  name: string;
  /** The name without its prefix (`Image`). */
  localName: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, trimmed (children's text not included). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

export class XmlReadError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'XmlReadError';
  }
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return entities[ref] ?? whole;
  });
}

const attributePattern = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

export function readXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let line = 1;
  let i = 0;
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) if (source.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt === -1 ? source.length : lt;
    const top = stack[stack.length - 1];
    if (top !== undefined && textEnd > i) top.text = (top.text + decode(source.slice(i, textEnd))).trim();
    advance(textEnd);
    if (lt === -1) break;
    const ends: [string, string][] = [
      ['<!--', '-->'],
      ['<?', '?>'],
      ['<![CDATA[', ']]>'],
      ['<!', '>'],
    ];
    const skipped = ends.find(([open]) => source.startsWith(open, i));
    if (skipped !== undefined) {
      const close = source.indexOf(skipped[1], i);
      if (close === -1) throw new XmlReadError(line, `unterminated ${skipped[0]}`);
      if (skipped[0] === '<![CDATA[' && top !== undefined) top.text = (top.text + source.slice(i + 9, close)).trim();
      advance(close + skipped[1].length);
      continue;
    }
    const gt = source.indexOf('>', i);
    if (gt === -1) throw new XmlReadError(line, 'unterminated tag');
    const tag = source.slice(i + 1, gt);
    const startLine = line;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open?.name !== name) throw new XmlReadError(startLine, `</${name}> does not close <${open?.name ?? '(nothing)'}>`);
      advance(gt + 1);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^[^\s/>]+/.exec(body);
    if (nameMatch === null) throw new XmlReadError(startLine, 'a tag without a name');
    const name = nameMatch[0];
    const attributes: Record<string, string> = {};
    for (const m of body.slice(name.length).matchAll(attributePattern)) {
      const key = m[1];
      if (key !== undefined) attributes[key] = decode(m[3] ?? m[4] ?? '');
    }
    const element: XmlElement = { name, localName: name.slice(name.indexOf(':') + 1), attributes, children: [], text: '', line: startLine };
    if (top !== undefined) top.children.push(element);
    else if (root === null) root = element;
    else throw new XmlReadError(startLine, 'a second root element');
    if (!selfClosing) stack.push(element);
    advance(gt + 1);
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) throw new XmlReadError(unclosed.line, `<${unclosed.name}> is never closed`);
  if (root === null) throw new XmlReadError(1, 'no root element');
  return root;
}

/** Every element under `root` (itself included), depth first, in document order. */
export function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    out.push(e);
    for (const c of e.children) visit(c);
  };
  visit(root);
  return out;
}
