// SAML metadata documents: a strict, non-recursive XML well-formedness parser and the checks IAM makes on metadata.
import { AwsError } from "../aws/errors";
import { fromBase64 } from "../aws/crypto";

/** An element with its local name (namespace prefix dropped: SAML tools use several prefixes for one namespace). */
export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
}

class XmlSyntaxError extends Error {}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const ATTRIBUTE = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/;
const ENTITY = /&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;

const localName = (qualified: string) => qualified.slice(qualified.indexOf(":") + 1);

/** Character data may hold only the five predefined entities and character references. */
function decodeText(raw: string): string {
  if (raw.replace(ENTITY, "").includes("&")) throw new XmlSyntaxError("bad entity");
  return raw.replace(ENTITY, (e) => {
    const named: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'" };
    if (named[e] !== undefined) return named[e];
    const code = e[2] === "x" ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
    if (!(code > 0 && code <= 0x10ffff)) throw new XmlSyntaxError("bad character reference");
    return String.fromCodePoint(code);
  });
}

/**
 * Parses a document into its root element, refusing anything not well-formed. DOCTYPE is refused outright: metadata
 * never needs one, and refusing it rules out entity expansion attacks. Iterative, so deep nesting cannot overflow.
 */
export function parseXml(text: string): XmlElement {
  const stack: { qualified: string; element: XmlElement }[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    const top = stack[stack.length - 1];
    if (top) top.element.text += decodeText(chunk);
    else if (chunk.trim() !== "") throw new XmlSyntaxError("text outside the root element");
    if (lt === -1) break;
    const rest = text.slice(lt);
    if (rest.startsWith("<!--")) {
      const end = text.indexOf("-->", lt + 4);
      if (end === -1) throw new XmlSyntaxError("unterminated comment");
      i = end + 3;
    } else if (rest.startsWith("<![CDATA[")) {
      const end = text.indexOf("]]>", lt + 9);
      if (end === -1 || !top) throw new XmlSyntaxError("misplaced CDATA");
      top.element.text += text.slice(lt + 9, end);
      i = end + 3;
    } else if (rest.startsWith("<?")) {
      const end = text.indexOf("?>", lt + 2);
      if (end === -1) throw new XmlSyntaxError("unterminated processing instruction");
      i = end + 2;
    } else if (rest.startsWith("<!")) {
      throw new XmlSyntaxError("DOCTYPE is not allowed");
    } else if (rest.startsWith("</")) {
      const name = NAME.exec(rest.slice(2))?.[0];
      const close = name === undefined ? null : /^\s*>/.exec(rest.slice(2 + name.length));
      const open = stack.pop();
      if (!name || !close || !open || open.qualified !== name) throw new XmlSyntaxError("mismatched end tag");
      i = lt + 2 + name.length + close[0].length;
    } else {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (!name) throw new XmlSyntaxError("bad element name");
      if (root && stack.length === 0) throw new XmlSyntaxError("more than one root element");
      const element: XmlElement = { name: localName(name), attributes: new Map(), children: [], text: "" };
      let j = lt + 1 + name.length;
      for (let m = ATTRIBUTE.exec(text.slice(j)); m; m = ATTRIBUTE.exec(text.slice(j))) {
        const attr = localName(m[1] ?? "");
        if (element.attributes.has(attr)) throw new XmlSyntaxError("duplicate attribute");
        element.attributes.set(attr, decodeText(m[2] ?? m[3] ?? ""));
        j += m[0].length;
      }
      const end = /^\s*(\/?)>/.exec(text.slice(j));
      if (!end) throw new XmlSyntaxError("bad start tag");
      if (top) top.element.children.push(element);
      else root = element;
      if (end[1] !== "/") stack.push({ qualified: name, element });
      i = j + end[0].length;
    }
  }
  if (!root || stack.length > 0) throw new XmlSyntaxError("unclosed element");
  return root;
}

const descendants = (e: XmlElement, name: string): XmlElement[] =>
  e.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);

/** What IAM keeps from a provider's metadata. */
export interface SamlMetadata {
  entityId: string;
  validUntil: number;
}

/** AWS keeps a provider valid for 100 years when its metadata sets no validUntil. */
const DEFAULT_VALIDITY_MS = 100 * 365.25 * 24 * 3600 * 1000;

const invalid = () => new AwsError("InvalidInput", "Could not parse metadata");

/**
 * IAM accepts an EntityDescriptor with an entityID, an IdP role (IDPSSODescriptor) and at least one signing
 * certificate in it, the certificates IAM verifies assertions with; validUntil, when given, must be a date.
 */
export function parseSamlMetadata(document: string, now: Date): SamlMetadata {
  let root: XmlElement;
  try {
    root = parseXml(document);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw invalid();
    throw err;
  }
  const entityId = root.attributes.get("entityID")?.trim();
  if (root.name !== "EntityDescriptor" || !entityId) throw invalid();
  const idp = root.children.find((c) => c.name === "IDPSSODescriptor");
  if (!idp) throw invalid();
  const certificates = idp.children
    .filter((k) => k.name === "KeyDescriptor" && (k.attributes.get("use") ?? "signing") === "signing")
    .flatMap((k) => descendants(k, "X509Certificate"))
    .map((c) => fromBase64(c.text.replace(/\s+/g, "")));
  if (certificates.length === 0 || certificates.some((c) => c === null || c.length === 0)) throw invalid();
  const given = root.attributes.get("validUntil");
  const validUntil = given === undefined ? now.getTime() + DEFAULT_VALIDITY_MS : Date.parse(given);
  if (!Number.isFinite(validUntil)) throw invalid();
  return { entityId, validUntil };
}
