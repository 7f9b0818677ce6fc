// Parse Mermaid files with the real Mermaid parser (under jsdom); prints "ok FILE TYPE" or "error FILE: ...".
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
let bad = 0;
for (const file of process.argv.slice(2)) {
  try {
    const res = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`ok ${file} ${res.diagramType}`);
  } catch (e) {
    bad++;
    console.log(`error ${file}: ${String(e.message || e).split("\n").slice(0,3).join(" | ")}`);
  }
}
process.exit(bad ? 1 : 0);
