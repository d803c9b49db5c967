// Canonicalization and the namespace-aware parser, checked against xml-crypto's canonicalizers (an independent
// implementation over @xmldom/xmldom) and against examples of the W3C specifications.
import { DOMParser } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import {
  C14nCanonicalization,
  C14nCanonicalizationWithComments,
  ExclusiveCanonicalization,
  ExclusiveCanonicalizationWithComments,
  findAncestorNs,
} from "xml-crypto";
import { XmlError, childElements, parseXmlDocument, type XElement } from "../../../src/sts/saml-xml.ts";
import { C14N, C14N_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS, canonicalize } from "../../../src/sts/xml-c14n.ts";

const DOCS: Record<string, string> = {
  namespaces: `<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:default" xmlns:unused="urn:unused">
  <child b:attr="1" z="2" a:y="3" xmlns:c="urn:c"><c:leaf/><a:leaf xmlns:a="urn:a">text</a:leaf></child>
  <nodefault xmlns=""><inner/><back xmlns="urn:default"/></nodefault>
  <a:same xmlns:a="urn:a2"><a:deeper/></a:same>
</a:root>`,
  escapes: `<doc xmlns="urn:x"><e attr="a&amp;b &lt;c&gt; &quot;q&quot; &#9;tab&#10;nl&#13;cr" other='single "quoted"'>1 &lt; 2 &amp;&amp; 3 &gt; 2 &#13; <![CDATA[<cdata & stuff>]]></e><empty/></doc>`,
  comments: `<doc><!-- a comment --><e>x<!--inner-->y</e> <!--last--></doc>`,
  attributes: `<doc xmlns:p="urn:p" xmlns:q="urn:q"><e q:b="1" p:b="2" b="3" a="4" p:a="5"/></doc>`,
  saml: `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0">
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_a">
    <saml:AttributeStatement><saml:Attribute Name="n"><saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">v</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`,
};

const THEIRS = {
  [C14N]: new C14nCanonicalization(),
  [C14N_COMMENTS]: new C14nCanonicalizationWithComments(),
  [EXC_C14N]: new ExclusiveCanonicalization(),
  [EXC_C14N_COMMENTS]: new ExclusiveCanonicalizationWithComments(),
};

/** The element at a path of element-child indexes from the root, in both trees. */
function ours(doc: XElement, path: number[]): XElement {
  let e = doc;
  for (const k of path) e = e.children.filter((c): c is XElement => c.kind === "element")[k] as XElement;
  return e;
}
function theirs(doc: Document, path: number[]): { node: Element; xpath: string } {
  let e = doc.documentElement as Element;
  let xpath = "/*";
  for (const k of path) {
    e = Array.from(e.childNodes).filter((c) => c.nodeType === 1)[k] as Element;
    xpath += `/*[${k + 1}]`;
  }
  return { node: e, xpath };
}

describe("canonicalization matches xml-crypto's", () => {
  const apexes: Record<string, number[][]> = {
    namespaces: [[], [0], [1], [1, 1], [2]],
    escapes: [[], [0]],
    comments: [[], [0]],
    attributes: [[], [0]],
    saml: [[], [0], [0, 0, 0, 0]],
  };
  for (const [name, text] of Object.entries(DOCS)) {
    for (const path of apexes[name] ?? [[]]) {
      for (const algorithm of [C14N, C14N_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS]) {
        it(`${name} at /${path.join("/")} with ${algorithm.split("/").pop()}`, () => {
          const mine = canonicalize(ours(parseXmlDocument(text).root, path), { algorithm });
          const dom = new DOMParser().parseFromString(text, "text/xml") as unknown as Document;
          const { node, xpath } = theirs(dom, path);
          const reference = THEIRS[algorithm as keyof typeof THEIRS].process(node as never, {
            ancestorNamespaces: findAncestorNs(dom as never, xpath),
          });
          expect(mine).toBe(reference);
        });
      }
    }
  }

  it("honours an exclusive InclusiveNamespaces PrefixList", () => {
    const text = DOCS.saml as string;
    const mine = canonicalize(ours(parseXmlDocument(text).root, [0, 0, 0, 0]), {
      algorithm: EXC_C14N,
      inclusivePrefixes: ["xs"],
    });
    const dom = new DOMParser().parseFromString(text, "text/xml") as unknown as Document;
    const { node, xpath } = theirs(dom, [0, 0, 0, 0]);
    const reference = new ExclusiveCanonicalization().process(node as never, {
      inclusiveNamespacesPrefixList: ["xs"],
      ancestorNamespaces: findAncestorNs(dom as never, xpath),
    });
    expect(mine).toBe(reference);
    expect(mine).toContain('xmlns:xs="http://www.w3.org/2001/XMLSchema"');
  });
});

describe("canonical forms from the W3C specifications", () => {
  // https://www.w3.org/TR/xml-c14n#Example-SETags (the document element, without its DOCTYPE-defaulted attributes).
  it("start and end tags (Canonical XML §3.3)", () => {
    const input = `<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
</doc>`;
    expect(canonicalize(parseXmlDocument(input).root, { algorithm: C14N })).toBe(`<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
</doc>`);
  });

  // https://www.w3.org/TR/xml-exc-c14n/#sec-Enveloping: exclusive c14n leaves out the unused n0 and n2 declarations.
  it("exclusive canonicalization renders only visibly utilized namespaces (Exclusive C14N §2.2)", () => {
    const input = `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`;
    const elem2 = ours(parseXmlDocument(input).root, [0]);
    expect(canonicalize(elem2, { algorithm: EXC_C14N })).toBe(
      `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`,
    );
    expect(canonicalize(elem2, { algorithm: C14N })).toBe(
      `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en"><n3:stuff></n3:stuff></n1:elem2>`,
    );
  });

  // https://www.w3.org/TR/xml-c14n#Example-OutsideDoc (processing instructions) and §2.4: a document subset's apex
  // inherits the xml:* attributes of its ancestors in Canonical XML 1.0, not in the exclusive form.
  it("processing instructions, and xml:* attributes inherited by the apex", () => {
    const doc = parseXmlDocument(
      `<doc xml:lang="en" xml:space="preserve"><?pi-target some  data?><mid xml:lang="fr"><leaf a="1"/><?bare?></mid></doc>`,
    );
    expect(canonicalize(doc.root, { algorithm: C14N })).toBe(
      `<doc xml:lang="en" xml:space="preserve"><?pi-target some  data?><mid xml:lang="fr"><leaf a="1"></leaf><?bare?></mid></doc>`,
    );
    const leaf = ours(doc.root, [0, 0]);
    expect(canonicalize(leaf, { algorithm: C14N })).toBe(`<leaf a="1" xml:lang="fr" xml:space="preserve"></leaf>`);
    expect(canonicalize(leaf, { algorithm: EXC_C14N })).toBe(`<leaf a="1"></leaf>`);
  });

  it("leaves out an excluded subtree (the enveloped-signature transform)", () => {
    const doc = parseXmlDocument(`<a ID="x"><b/><ds:Signature xmlns:ds="urn:ds"><c/></ds:Signature><d/></a>`);
    const signature = childElements(doc.root, "urn:ds", "Signature")[0];
    expect(canonicalize(doc.root, { algorithm: EXC_C14N, exclude: signature })).toBe(`<a ID="x"><b></b><d></d></a>`);
  });
});

describe("the namespace-aware parser", () => {
  it("keeps prefixes, declarations in order, resolved namespaces and the ID index", () => {
    const doc = parseXmlDocument(DOCS.namespaces as string);
    expect(doc.root.qname).toBe("a:root");
    expect(doc.root.ns).toBe("urn:a");
    expect(doc.root.nsDecls.map((d) => d.prefix)).toEqual(["a", "b", "", "unused"]);
    const child = ours(doc.root, [0]);
    expect(child.ns).toBe("urn:default");
    expect(child.attributes.map((a) => [a.qname, a.ns])).toEqual([
      ["b:attr", "urn:b"],
      ["z", null],
      ["a:y", "urn:a"],
    ]);
    expect(ours(doc.root, [1]).ns).toBe("");
    expect(parseXmlDocument(DOCS.saml as string).ids.get("_a")?.[0]?.local).toBe("Assertion");
  });

  it.each([
    ["a DOCTYPE", `<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>`],
    ["an undeclared entity", `<r>&x;</r>`],
    ["an undeclared prefix", `<p:r/>`],
    ["a duplicate attribute", `<r a="1" a="2"/>`],
    ["the same attribute under two prefixes", `<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>`],
    ["mismatched tags", `<r><s></r></s>`],
    ["two roots", `<r/><s/>`],
    ["text outside the root", `x<r/>`],
    ["deep nesting", `${"<a>".repeat(200)}${"</a>".repeat(200)}`],
  ])("refuses %s", (_what, text) => {
    expect(() => parseXmlDocument(text)).toThrow(XmlError);
  });

  it("normalizes attribute whitespace and line ends as XML 1.0 does", () => {
    const doc = parseXmlDocument(`<r a="x\ty\r\nz" b="&#10;"/>`);
    expect(doc.root.attributes.map((a) => a.value)).toEqual(["x y z", "\n"]);
  });
});
