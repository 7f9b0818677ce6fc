// Evaluates JSONata expressions with jsonata-js, the JavaScript engine family Step Functions runs
// (a dependency of asl-validator, pinned in package-lock.json). Reads a JSON array of
// {"expr": text, "bindings": {name: value}} on stdin; writes a JSON array of {"value"} or {"error"}.
const jsonata = require('jsonata');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = [];
  for (const c of cases) {
    try {
      const value = await jsonata(c.expr).evaluate({}, c.bindings);
      out.push(value === undefined ? {} : { value });
    } catch (err) {
      out.push({ error: String(err.message || err) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main();
