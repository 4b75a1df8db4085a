/**
 * The XML that S3 and CloudFront speak: a small, strict parser (elements, attributes, text,
 * CDATA, comments, the five predefined entities and character references; no DOCTYPE, so no
 * entity expansion) and a serializer. Trees round-trip: a CloudFront DistributionConfig read,
 * changed in a few elements and written back keeps every element this code does not know.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const NAME = /^[A-Za-z_][-A-Za-z0-9_.:]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a document and returns its root element. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new XmlError(`Malformed XML at offset ${pos}: ${what}.`);
  };

  const skipMisc = () => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<!DOCTYPE', pos) || text.startsWith('<!doctype', pos)) {
        fail('a DOCTYPE is not accepted');
      } else {
        return;
      }
    }
  };

  const readName = (): string => {
    const m = NAME.exec(text.slice(pos, pos + 256));
    if (!m) fail('expected a name');
    pos += m![0].length;
    return m![0];
  };

  const readElement = (): XmlElement => {
    if (text[pos] !== '<') fail('expected "<"');
    pos++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name, attributes, children: [] };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      if (pos >= text.length) fail(`unterminated start tag <${name}>`);
      const attr = readName();
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text[pos] !== '=') fail(`expected "=" after attribute ${attr}`);
      pos++;
      while (/\s/.test(text[pos] ?? '')) pos++;
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${attr}`);
      const end = text.indexOf(quote!, pos + 1);
      if (end < 0) fail(`unterminated value of attribute ${attr}`);
      attributes[attr] = decodeEntities(text.slice(pos + 1, end));
      pos = end + 1;
    }

    const children: XmlNode[] = [];
    for (;;) {
      if (pos >= text.length) fail(`<${name}> is not closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        while (/\s/.test(text[pos] ?? '')) pos++;
        if (text[pos] !== '>') fail(`expected ">" after </${closing}`);
        pos++;
        return { name, attributes, children };
      }
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        children.push(text.slice(pos + 9, end));
        pos = end + 3;
      } else if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text[pos] === '<') {
        children.push(readElement());
      } else {
        const end = text.indexOf('<', pos);
        const raw = text.slice(pos, end < 0 ? text.length : end);
        children.push(decodeEntities(raw));
        pos += raw.length;
      }
    }
  };

  skipMisc();
  if (pos >= text.length) fail('the document is empty');
  const root = readElement();
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;

  function decodeEntities(raw: string): string {
    return raw.replace(/&(?:([^;&\s<]{1,10});)?/g, (_m, entity: string | undefined) => {
      if (entity === undefined) return fail('a bare "&"');
      if (entity in ENTITIES) return ENTITIES[entity]!;
      const code = /^#x[0-9a-fA-F]+$/.test(entity) ? parseInt(entity.slice(2), 16) : /^#\d+$/.test(entity) ? parseInt(entity.slice(1), 10) : NaN;
      if (!Number.isInteger(code) || code > 0x10ffff) return fail(`unknown entity &${entity};`);
      return String.fromCodePoint(code);
    });
  }
}

/** Serializes an element (with an XML declaration when asked). */
export function toXml(element: XmlElement, declaration = true): string {
  return (declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : '') + serialize(element);
}

function serialize(element: XmlElement): string {
  const attrs = Object.entries(element.attributes)
    .map(([k, v]) => ` ${k}="${escapeXml(v).replace(/"/g, '&quot;')}"`)
    .join('');
  if (element.children.length === 0) return `<${element.name}${attrs}/>`;
  const inner = element.children.map((c) => (typeof c === 'string' ? escapeXml(c) : serialize(c))).join('');
  return `<${element.name}${attrs}>${inner}</${element.name}>`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// --- building --------------------------------------------------------------------------------

/** An element: children may be elements, text, or values turned into text; undefined is left out. */
export function el(name: string, ...content: (XmlNode | number | boolean | undefined | (XmlNode | undefined)[])[]): XmlElement {
  const children: XmlNode[] = [];
  for (const item of content.flat()) {
    if (item === undefined) continue;
    children.push(typeof item === 'number' || typeof item === 'boolean' ? String(item) : item);
  }
  return { name, attributes: {}, children };
}

export function withAttributes(element: XmlElement, attributes: Record<string, string>): XmlElement {
  return { ...element, attributes: { ...element.attributes, ...attributes } };
}

// --- reading ---------------------------------------------------------------------------------

/** The first child element with this name. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** Every child element with this name. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** The element at a path of child names. */
export function at(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) current = child(current, name);
  return current;
}

/** The text of an element (its text children joined), or undefined when there is no element. */
export function text(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  return element.children.filter((c): c is string => typeof c === 'string').join('');
}

/** The text at a path of child names. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  return text(at(element, ...path));
}

/**
 * Replaces the child with this name in place, or inserts it where `order` (the schema's
 * sequence of child names; AWS reads elements in that order) puts it.
 */
export function setChild(parent: XmlElement, replacement: XmlElement, order: readonly string[] = []): void {
  const index = parent.children.findIndex((c) => typeof c !== 'string' && c.name === replacement.name);
  if (index >= 0) {
    parent.children[index] = replacement;
    return;
  }
  const rank = order.indexOf(replacement.name);
  const before = rank < 0 ? -1 : parent.children.findIndex((c) => typeof c !== 'string' && order.indexOf(c.name) > rank);
  if (before < 0) parent.children.push(replacement);
  else parent.children.splice(before, 0, replacement);
}
