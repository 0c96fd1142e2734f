// Prints the YAML file named by the first argument as JSON, parsed as YAML 1.2 by `yaml` (pinned in package.json),
// as GitHub Actions reads workflows (so `on:` stays a key, not a boolean). Exits 1 with the parser's message on bad YAML.
"use strict";
const fs = require("node:fs");
const YAML = require("yaml");

const document = YAML.parseDocument(fs.readFileSync(process.argv[2], "utf8"), { prettyErrors: true });
if (document.errors.length > 0) {
  process.stderr.write(document.errors.map((e) => e.message).join("\n"));
  process.exit(1);
}
process.stdout.write(JSON.stringify(document.toJS()));
