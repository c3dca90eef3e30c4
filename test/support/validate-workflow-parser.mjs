// Child-process worker that runs GitHub's own workflow parser (@actions/workflow-parser).
//
// Why a child process: the package is ESM-only and imports its JSON schema without an import
// attribute (`import WorkflowSchema from "../workflow-v1.0.min.json"`), which Node 20 rejects
// ("needs an import attribute of type: json"). Jest runs our tests as CommonJS and cannot load it.
// Here we register a tiny `load` hook that adds `importAttributes: { type: 'json' }` to `.json`
// URLs, then import the parser.
//
// Protocol: newline-delimited JSON on stdin/stdout.
//   request:  {"id": 1, "name": ".github/workflows/ci.yml", "content": "<yaml>"}
//   response: {"id": 1, "findings": [{"message", "rawMessage", "line", "column", "endLine", "endColumn"}]}
//         or: {"id": 1, "error": "<exception text>"}
// The process exits when stdin closes, so `echo '{...}' | node validate-workflow-parser.mjs` works too.

import './register-json-imports.mjs';
import { createInterface } from 'node:readline';

const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

/** @param {{name: string, content: string}} file */
async function check(file) {
  const parsed = parseWorkflow({ name: file.name, content: file.content }, new NoOperationTraceWriter());
  if (parsed.value !== undefined) {
    // Conversion adds semantic errors (e.g. `needs` naming an unknown job, bad cron, bad
    // concurrency) to the same context; with the default error policy it is skipped when parsing
    // already failed.
    await convertWorkflowTemplate(parsed.context, parsed.value);
  }
  return parsed.context.errors.getErrors().map((e) => ({
    message: e.message,
    rawMessage: e.rawMessage,
    line: e.range?.start.line,
    column: e.range?.start.column,
    endLine: e.range?.end.line,
    endColumn: e.range?.end.column,
  }));
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let id;
  try {
    const req = JSON.parse(line);
    id = req.id;
    const findings = await check(req);
    process.stdout.write(JSON.stringify({ id, findings }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ id, error: String(err && err.stack ? err.stack : err) }) + '\n');
  }
}
