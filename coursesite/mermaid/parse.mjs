// Reads [[name, source], ...] as JSON on stdin and prints [[name, ok, detail], ...]:
// detail is the diagram type when Mermaid's parser accepts the source, else its error message.
import { JSDOM } from "jsdom";

// Mermaid expects a browser; a jsdom window is enough for parsing (nothing is rendered).
const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let raw = "";
for await (const chunk of process.stdin) raw += chunk;

const results = [];
for (const [name, source] of JSON.parse(raw)) {
  try {
    const parsed = await mermaid.parse(source);
    results.push([name, true, parsed.diagramType]);
  } catch (error) {
    results.push([name, false, String(error?.message ?? error).slice(0, 400)]);
  }
}
process.stdout.write(JSON.stringify(results));
