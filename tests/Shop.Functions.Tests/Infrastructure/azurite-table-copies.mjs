// Adds copies of one entity to a table in the database file of a stopped Azurite, with LokiJS, the library Azurite
// keeps its tables in (loaded from Azurite's own install, so the file format is the one Azurite reads).
// AzuriteServer.AddTableRowCopiesAsync runs it; its remarks say why the API is not used.
//
//   node azurite-table-copies.mjs <azurite folder> <database file> <collection> <template PartitionKey> <key prefix> <copies>
//
// Prints "rows <n>", the collection's row count after the copies were saved.
import { createRequire } from "node:module";
import path from "node:path";

const [azuriteDirectory, databaseFile, collectionName, templateKey, keyPrefix, copiesText] = process.argv.slice(2);
const copies = Number.parseInt(copiesText, 10);
if (!keyPrefix || !Number.isSafeInteger(copies) || copies <= 0) {
  console.error("usage: azurite-table-copies.mjs <azurite folder> <database file> <collection> <template PartitionKey> <key prefix> <copies>");
  process.exit(2);
}

const require = createRequire(path.join(azuriteDirectory, "node_modules", "azurite", "package.json"));
const Loki = require("lokijs");

const database = new Loki(databaseFile, { persistenceMethod: "fs" });
await new Promise((resolve, reject) => database.loadDatabase({}, (error) => (error ? reject(error) : resolve())));

const table = database.getCollection(collectionName);
if (table === null) {
  throw new Error(`No collection ${collectionName} in ${databaseFile}: ${database.listCollections().map((c) => c.name).join(", ")}`);
}

const template = table.findOne({ PartitionKey: templateKey });
if (template === null) {
  throw new Error(`No entity with PartitionKey ${templateKey} in ${collectionName}`);
}

// LokiJS's own fields: each copy gets its own id and metadata on insert.
const { $loki, meta, ...shape } = template;
const width = 7;
if (String(copies - 1).length > width) {
  throw new Error(`At most ${10 ** width} copies`);
}

// Maintaining the sorted indices on every insert would move up to the whole index each time; they are rebuilt once below.
table.adaptiveBinaryIndices = false;
for (let i = 0; i < copies; i++) {
  const key = keyPrefix + String(i).padStart(width, "0");
  const copy = structuredClone(shape);
  copy.PartitionKey = key;
  for (const [name, value] of Object.entries(copy.properties)) {
    if (value === templateKey) {
      copy.properties[name] = key;
    }
  }
  table.insert(copy);
}

table.ensureAllIndexes(true);
table.adaptiveBinaryIndices = true;
await new Promise((resolve, reject) => database.saveDatabase((error) => (error ? reject(error) : resolve())));
console.log(`rows ${table.count()}`);
