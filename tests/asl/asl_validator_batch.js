// Runs the npm package asl-validator on each file named on the command line, in one node process,
// and prints {"<file>": {"valid": bool, "errors": [text]}} as JSON (used by tests/asl/test_cross_check.py).
"use strict";
const fs = require("fs");
const validator = require("asl-validator");

const results = {};
for (const file of process.argv.slice(2)) {
  const definition = JSON.parse(fs.readFileSync(file, "utf8"));
  const result = validator(definition, { checkArn: true, checkPaths: true });
  results[file] = {
    valid: result.isValid,
    errors: result.errors.map((e) => e["Error code"] ? `${e["Error code"]}: ${e.Message}` : `${e.instancePath} ${e.message}`),
  };
}
process.stdout.write(JSON.stringify(results, null, 1));
