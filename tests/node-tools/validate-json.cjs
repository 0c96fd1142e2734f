// Validates the JSON document on stdin against the JSON Schema (draft 2019-09) named by the first argument, with
// Ajv (pinned in package.json). Prints {"valid": bool, "errors": [{"path", "message"}]}; exits 0 either way, so the
// test reads the verdict from the output (exit 1 only when the schema or the input cannot be read).
"use strict";
const fs = require("node:fs");
const Ajv2019 = require("ajv/dist/2019").default;

const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const instance = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
const validate = ajv.compile(schema);
const valid = validate(instance);
const errors = (validate.errors || []).map((e) => ({
  path: e.instancePath || "/",
  message: `${e.message}${e.params && e.params.unevaluatedProperty ? `: '${e.params.unevaluatedProperty}'` : ""}${e.params && e.params.additionalProperty ? `: '${e.params.additionalProperty}'` : ""}`,
}));
process.stdout.write(JSON.stringify({ valid, errors }));
