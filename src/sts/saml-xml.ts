// A namespace-aware XML parser for SAML responses: keeps prefixes, namespace declarations, attribute order, comments
// and processing instructions (what canonicalization needs), refuses DOCTYPE and entities, and indexes ID attributes.

export const XML_NS = "http://www.w3.org/XML/1998/namespace";

export interface XAttribute {
  /** The name as written (`p:local` or `local`). */
  qname: string;
  prefix: string | null;
  local: string;
  /** The resolved namespace URI; null for an unprefixed attribute (it is in no namespace). */
  ns: string | null;
  value: string;
}

export interface XElement {
  kind: "element";
  qname: string;
  prefix: string | null;
  local: string;
  /** The resolved namespace URI of the element's name; "" when it is in no namespace. */
  ns: string;
  /** Namespace declarations written on this element, in document order; prefix "" is the default namespace. */
  nsDecls: { prefix: string; uri: string }[];
  /** Every binding in scope here (declared here or on an ancestor); the default namespace under "". */
  inScope: ReadonlyMap<string, string>;
  /** Ordinary attributes (not xmlns declarations), in document order. */
  attributes: XAttribute[];
  children: XNode[];
  parent: XElement | null;
}

export interface XText {
  kind: "text";
  value: string;
}

export interface XComment {
  kind: "comment";
  value: string;
}

export interface XProcessingInstruction {
  kind: "pi";
  target: string;
  data: string;
}

export type XNode = XElement | XText | XComment | XProcessingInstruction;

export interface XDocument {
  root: XElement;
  /** Elements by the value of their `ID`, `Id` or `id` attribute; more than one element under a value is a duplicate. */
  ids: ReadonlyMap<string, XElement[]>;
}

/** Thrown for anything that is not well-formed, or that this parser refuses (DOCTYPE, entity declarations). */
export class XmlError extends Error {}

/** Bounds that keep a hostile document cheap: nesting depth and node count. */
const MAX_DEPTH = 128;
const MAX_NODES = 50_000;

const NAME_START =
  "A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\uFFFD";
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\p{Mn}\\u203F-\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
const QNAME = new RegExp(`(?:(${NCNAME}):)?(${NCNAME})`, "uy");
const ATTRIBUTE = new RegExp(
  `[ \\t\\n]+((?:${NCNAME}:)?${NCNAME})[ \\t\\n]*=[ \\t\\n]*(?:"([^"<]*)"|'([^'<]*)')`,
  "uy",
);
const TAG_CLOSE = /[ \t\n]*(\/?)>/y;
const END_CLOSE = /[ \t\n]*>/y;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const ID_ATTRIBUTES = new Set(["ID", "Id", "id"]);

/** Character data may hold only the five predefined entities and character references. */
function decodeReferences(raw: string): string {
  if (raw.replace(REFERENCE, "").includes("&")) throw new XmlError("undeclared entity reference");
  return raw.replace(REFERENCE, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named !== undefined) return NAMED[named] as string;
    const code = dec !== undefined ? parseInt(dec, 10) : parseInt(hex ?? "", 16);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new XmlError("character reference to a character XML does not allow");
    return String.fromCodePoint(code);
  });
}

/** Attribute-value normalization (XML 1.0 §3.3.3): literal whitespace becomes a space; references are kept. */
const decodeAttribute = (raw: string) => decodeReferences(raw.replace(/[\t\n]/g, " "));

/** Matches a sticky pattern exactly at `at`. */
function sticky(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function splitName(qname: string): { prefix: string | null; local: string } {
  const colon = qname.indexOf(":");
  return colon === -1
    ? { prefix: null, local: qname }
    : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

interface Open {
  element: XElement;
}

/** Reads one start tag at `lt`: the element (namespaces resolved against its parent) and where the tag ends. */
function readStartTag(
  text: string,
  lt: number,
  parent: XElement | null,
): { element: XElement; end: number; selfClosing: boolean } {
  const nameMatch = sticky(QNAME, text, lt + 1);
  if (!nameMatch) throw new XmlError("bad element name");
  const qname = nameMatch[0];
  const raw: { qname: string; value: string }[] = [];
  let j = lt + 1 + qname.length;
  for (;;) {
    const m = sticky(ATTRIBUTE, text, j);
    if (!m) break;
    const name = m[1] as string;
    if (raw.some((a) => a.qname === name)) throw new XmlError("duplicate attribute");
    raw.push({ qname: name, value: decodeAttribute(m[2] ?? m[3] ?? "") });
    j += m[0].length;
  }
  const close = sticky(TAG_CLOSE, text, j);
  if (!close) throw new XmlError("bad start tag");

  const nsDecls: { prefix: string; uri: string }[] = [];
  const attributes: { qname: string; value: string }[] = [];
  for (const a of raw) {
    if (a.qname === "xmlns") nsDecls.push({ prefix: "", uri: a.value });
    else if (a.qname.startsWith("xmlns:")) {
      const prefix = a.qname.slice(6);
      if (a.value === "" || prefix === "xmlns" || (prefix === "xml") !== (a.value === XML_NS)) {
        throw new XmlError("bad namespace declaration");
      }
      nsDecls.push({ prefix, uri: a.value });
    } else attributes.push(a);
  }
  let inScope: ReadonlyMap<string, string> = parent ? parent.inScope : new Map([["xml", XML_NS]]);
  if (nsDecls.length > 0) {
    const next = new Map(inScope);
    for (const d of nsDecls) next.set(d.prefix, d.uri);
    inScope = next;
  }
  const resolve = (prefix: string) => {
    const uri = inScope.get(prefix);
    if (uri === undefined || uri === "") throw new XmlError(`undeclared namespace prefix ${prefix}`);
    return uri;
  };
  const { prefix, local } = splitName(qname);
  const element: XElement = {
    kind: "element",
    qname,
    prefix,
    local,
    ns: prefix === null ? (inScope.get("") ?? "") : resolve(prefix),
    nsDecls,
    inScope,
    attributes: [],
    children: [],
    parent,
  };
  const expanded = new Set<string>();
  for (const a of attributes) {
    const n = splitName(a.qname);
    const ns = n.prefix === null ? null : resolve(n.prefix);
    const key = `${ns ?? ""} ${n.local}`;
    if (expanded.has(key)) throw new XmlError("duplicate attribute");
    expanded.add(key);
    element.attributes.push({ qname: a.qname, prefix: n.prefix, local: n.local, ns, value: a.value });
  }
  return { element, end: j + close[0].length, selfClosing: close[1] === "/" };
}

/**
 * Parses a whole document. Line ends are normalized first (XML 1.0 §2.11). DOCTYPE is refused outright, which rules
 * out entity declarations and their expansion attacks; CDATA sections become text. Iterative, so deep nesting cannot
 * overflow the stack, and bounded in depth and node count.
 */
export function parseXmlDocument(input: string): XDocument {
  const text = input.replace(/\r\n?/g, "\n");
  const stack: Open[] = [];
  const ids = new Map<string, XElement[]>();
  let root: XElement | undefined;
  let nodes = 0;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const append = (node: XNode) => {
    if (++nodes > MAX_NODES) throw new XmlError("too many nodes");
    const top = stack[stack.length - 1];
    if (top) {
      const last = top.element.children[top.element.children.length - 1];
      // Adjacent text (character data next to a CDATA section) is one text node, as the XPath data model has it.
      if (node.kind === "text" && last?.kind === "text") last.value += node.value;
      else top.element.children.push(node);
    }
  };
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (chunk !== "") {
      if (stack.length > 0) append({ kind: "text", value: decodeReferences(chunk) });
      else if (chunk.trim() !== "") throw new XmlError("text outside the root element");
    }
    if (lt === -1) break;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end === -1) throw new XmlError("unterminated comment");
      const value = text.slice(lt + 4, end);
      if (value.includes("--") || value.endsWith("-")) throw new XmlError("bad comment");
      if (stack.length > 0) append({ kind: "comment", value });
      i = end + 3;
    } else if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt + 9);
      if (end === -1 || stack.length === 0) throw new XmlError("misplaced CDATA section");
      append({ kind: "text", value: text.slice(lt + 9, end) });
      i = end + 3;
    } else if (text.startsWith("<?", lt)) {
      const end = text.indexOf("?>", lt + 2);
      if (end === -1) throw new XmlError("unterminated processing instruction");
      const body = text.slice(lt + 2, end);
      const target = /^[^\s?]+/.exec(body)?.[0] ?? "";
      if (target.toLowerCase() === "xml") {
        if (lt !== (text.charCodeAt(0) === 0xfeff ? 1 : 0)) throw new XmlError("misplaced XML declaration");
      } else {
        if (target === "") throw new XmlError("bad processing instruction");
        if (stack.length > 0) append({ kind: "pi", target, data: body.slice(target.length).replace(/^\s+/, "") });
      }
      i = end + 2;
    } else if (text.startsWith("<!", lt)) {
      throw new XmlError("DOCTYPE and declarations are not allowed");
    } else if (text.startsWith("</", lt)) {
      const name = sticky(QNAME, text, lt + 2)?.[0];
      const close = name === undefined ? null : sticky(END_CLOSE, text, lt + 2 + name.length);
      const open = stack.pop();
      if (!name || !close || !open || open.element.qname !== name) throw new XmlError("mismatched end tag");
      i = lt + 2 + name.length + close[0].length;
    } else {
      if (root && stack.length === 0) throw new XmlError("more than one root element");
      if (stack.length >= MAX_DEPTH) throw new XmlError("nesting too deep");
      const parent = stack[stack.length - 1]?.element ?? null;
      const { element, end, selfClosing } = readStartTag(text, lt, parent);
      if (parent) append(element);
      else {
        nodes++;
        root = element;
      }
      for (const a of element.attributes) {
        if (a.prefix === null && ID_ATTRIBUTES.has(a.local)) {
          const list = ids.get(a.value);
          if (list) list.push(element);
          else ids.set(a.value, [element]);
        }
      }
      if (!selfClosing) stack.push({ element });
      i = end;
    }
  }
  if (!root || stack.length > 0) throw new XmlError("unclosed element");
  return { root, ids };
}

/** The element children of an element with this namespace and local name. */
export function childElements(e: XElement, ns: string, local: string): XElement[] {
  return e.children.filter((c): c is XElement => c.kind === "element" && c.ns === ns && c.local === local);
}

/** The one child with this name, or null when there is none; more than one is an error. */
export function onlyChild(e: XElement, ns: string, local: string): XElement | null {
  const found = childElements(e, ns, local);
  if (found.length > 1) throw new XmlError(`more than one ${local}`);
  return found[0] ?? null;
}

/** The text content of an element (its descendant text, comments and PIs left out). */
export function textContent(e: XElement): string {
  let out = "";
  for (const c of e.children) {
    if (c.kind === "text") out += c.value;
    else if (c.kind === "element") out += textContent(c);
  }
  return out;
}

/** The value of an unqualified attribute. */
export function attribute(e: XElement, local: string): string | undefined {
  return e.attributes.find((a) => a.ns === null && a.local === local)?.value;
}
