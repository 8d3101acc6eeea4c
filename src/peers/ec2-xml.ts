// The few fields of EC2's XML answers that the peer step reads (pure): a small bounded reader, no DTDs, no
// entity expansion beyond XML's five names and character references, so a hostile answer cannot grow it.

export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

/** Elements read at most, and nesting depth: a DescribeInstances of 100 instances has a few ten thousand elements. */
export const MAX_ELEMENTS = 200_000;
export const MAX_DEPTH = 64;

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref[0] !== "#") return NAMED[ref] ?? whole;
    const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

// A tag (name, attributes, self-closing slash), or a section skipped whole: declaration, comment, CDATA.
const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^<>]*?)?)(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<!/g;

/** The document's root element, namespace prefixes dropped; throws on text that is not well-formed enough to read. */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: "", children: [], text: "" };
  const stack = [root];
  let count = 0;
  let last = 0;
  for (const m of xml.matchAll(TOKEN)) {
    const top = stack[stack.length - 1]!;
    top.text += decodeEntities(xml.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === "<!") throw new Error("XML with a document type declaration is not read");
    if (m[5] !== undefined) top.text += m[5];
    if (m[2] === undefined) continue;
    const name = m[2].replace(/^[^:]*:/, "");
    if (m[1]) {
      if (top.name !== name || stack.length === 1) throw new Error(`unexpected </${name.slice(0, 40)}>`);
      stack.pop();
      continue;
    }
    if (++count > MAX_ELEMENTS) throw new Error(`more than ${MAX_ELEMENTS} elements`);
    const node: XmlNode = { name, children: [], text: "" };
    top.children.push(node);
    if (m[4]) continue;
    if (stack.length > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} elements`);
    stack.push(node);
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error("not one complete XML document");
  return root.children[0]!;
}

/** The children named `name`. */
export const childrenOf = (node: XmlNode | undefined, name: string) => node?.children.filter((c) => c.name === name) ?? [];
const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);
const textOf = (node: XmlNode | undefined, name: string) => child(node, name)?.text.trim() || undefined;

/** `reservationSet/item/instancesSet/item/{instanceId, privateIpAddress}` of a DescribeInstances answer. */
export function instancesOf(root: XmlNode): { instanceId: string; privateIpAddress?: string }[] {
  if (root.name !== "DescribeInstancesResponse") throw new Error(`a ${root.name.slice(0, 60)} element instead of DescribeInstancesResponse`);
  const out: { instanceId: string; privateIpAddress?: string }[] = [];
  for (const reservation of childrenOf(child(root, "reservationSet"), "item")) {
    for (const instance of childrenOf(child(reservation, "instancesSet"), "item")) {
      const instanceId = textOf(instance, "instanceId");
      if (instanceId) out.push({ instanceId, privateIpAddress: textOf(instance, "privateIpAddress") });
    }
  }
  return out;
}

/** The first `Response/Errors/Error` of an EC2 error answer, or undefined when the text is not one. */
export function ec2ErrorOf(xml: string): { code: string; message: string } | undefined {
  let root: XmlNode;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  const error = child(child(root, "Errors"), "Error");
  const code = textOf(error, "Code");
  return root.name === "Response" && code ? { code, message: textOf(error, "Message") ?? "" } : undefined;
}
