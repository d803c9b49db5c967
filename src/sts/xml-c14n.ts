// XML canonicalization of an element subtree: Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, each with
// and without comments (https://www.w3.org/TR/xml-c14n, https://www.w3.org/TR/xml-exc-c14n/).
import { XML_NS, type XAttribute, type XElement, type XNode } from "./saml-xml.ts";

export const C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
export const C14N_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
export const EXC_C14N_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

export const CANONICALIZATIONS: ReadonlySet<string> = new Set([C14N, C14N_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS]);

export interface C14nOptions {
  /** One of the four algorithm URIs above. */
  algorithm: string;
  /** Exclusive only: prefixes treated as in inclusive canonicalization (`#default` for the default namespace). */
  inclusivePrefixes?: readonly string[];
  /** A node left out with its subtree (the enveloped-signature transform removes the Signature element). */
  exclude?: XNode;
  /** Drops comments even for a WithComments algorithm (a same-document `#id` reference selects no comments). */
  dropComments?: boolean;
}

const escapeText = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");

const escapeAttribute = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;");

/** Code-point order of strings, as both specifications sort attribute names and URIs. */
function compare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = (x[k] as string).codePointAt(0)! - (y[k] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Namespace declarations sort by prefix (the default, with no prefix, first). */
const byPrefix = (a: { prefix: string }, b: { prefix: string }) => compare(a.prefix, b.prefix);

/** Attributes sort by namespace URI (none first), then local name. */
const byName = (a: XAttribute, b: XAttribute) => compare(a.ns ?? "", b.ns ?? "") || compare(a.local, b.local);

/**
 * Inclusive canonicalization of a document subset whose apex is not the document element inherits the xml:*
 * attributes (xml:lang, xml:space, ...) of the apex's ancestors that the apex does not set itself.
 */
function inheritedXmlAttributes(apex: XElement): XAttribute[] {
  const found = new Map<string, XAttribute>();
  for (let e = apex.parent; e; e = e.parent) {
    for (const a of e.attributes) {
      if (
        a.ns === XML_NS &&
        !found.has(a.local) &&
        !apex.attributes.some((b) => b.ns === XML_NS && b.local === a.local)
      ) {
        found.set(a.local, a);
      }
    }
  }
  return [...found.values()];
}

/** The namespace declarations an element renders, given what its output ancestors already rendered. */
function namespacesToRender(
  e: XElement,
  rendered: ReadonlyMap<string, string>,
  exclusive: boolean,
  inclusivePrefixes: ReadonlySet<string>,
): { prefix: string; uri: string }[] {
  const candidates = new Set<string>();
  if (exclusive) {
    // Visibly utilized: the element's own prefix (the default namespace when it has none) and its attributes'.
    candidates.add(e.prefix ?? "");
    for (const a of e.attributes) if (a.prefix !== null) candidates.add(a.prefix);
    for (const p of inclusivePrefixes) if (e.inScope.has(p)) candidates.add(p);
  } else {
    for (const p of e.inScope.keys()) candidates.add(p);
    candidates.add("");
  }
  const out: { prefix: string; uri: string }[] = [];
  for (const prefix of candidates) {
    if (prefix === "xml") continue;
    const uri = e.inScope.get(prefix) ?? "";
    const before = rendered.get(prefix) ?? "";
    if (prefix === "") {
      // xmlns="" is written only to undo a default namespace an output ancestor rendered.
      if (uri !== before) out.push({ prefix, uri });
    } else if (uri !== "" && rendered.get(prefix) !== uri) out.push({ prefix, uri });
  }
  return out.sort(byPrefix);
}

/** Canonicalizes `apex` and its descendants (less `exclude`) into the canonical form's text. */
export function canonicalize(apex: XElement, options: C14nOptions): string {
  const { algorithm } = options;
  if (!CANONICALIZATIONS.has(algorithm)) throw new Error(`unsupported canonicalization ${algorithm}`);
  const exclusive = algorithm === EXC_C14N || algorithm === EXC_C14N_COMMENTS;
  const comments = !options.dropComments && (algorithm === C14N_COMMENTS || algorithm === EXC_C14N_COMMENTS);
  const inclusivePrefixes = new Set(
    exclusive ? (options.inclusivePrefixes ?? []).map((p) => (p === "#default" ? "" : p)) : [],
  );
  const parts: string[] = [];

  // An explicit stack instead of recursion: [node, namespaces rendered by its output ancestors] or a closing tag.
  type Step = { node: XNode; rendered: ReadonlyMap<string, string> } | { close: string };
  const steps: Step[] = [{ node: apex, rendered: new Map() }];
  while (steps.length > 0) {
    const step = steps.pop() as Step;
    if ("close" in step) {
      parts.push(`</${step.close}>`);
      continue;
    }
    const { node, rendered } = step;
    if (node === options.exclude) continue;
    switch (node.kind) {
      case "text":
        parts.push(escapeText(node.value));
        break;
      case "comment":
        if (comments) parts.push(`<!--${node.value}-->`);
        break;
      case "pi":
        parts.push(node.data === "" ? `<?${node.target}?>` : `<?${node.target} ${node.data}?>`);
        break;
      case "element": {
        const decls = namespacesToRender(node, rendered, exclusive, inclusivePrefixes);
        let next = rendered;
        if (decls.length > 0) {
          const copy = new Map(rendered);
          for (const d of decls) copy.set(d.prefix, d.uri);
          next = copy;
        }
        const attributes =
          !exclusive && node === apex ? [...node.attributes, ...inheritedXmlAttributes(node)] : [...node.attributes];
        attributes.sort(byName);
        let tag = `<${node.qname}`;
        for (const d of decls)
          tag +=
            d.prefix === "" ? ` xmlns="${escapeAttribute(d.uri)}"` : ` xmlns:${d.prefix}="${escapeAttribute(d.uri)}"`;
        for (const a of attributes) tag += ` ${a.qname}="${escapeAttribute(a.value)}"`;
        parts.push(`${tag}>`);
        steps.push({ close: node.qname });
        for (let k = node.children.length - 1; k >= 0; k--) {
          steps.push({ node: node.children[k] as XNode, rendered: next });
        }
        break;
      }
    }
  }
  return parts.join("");
}
