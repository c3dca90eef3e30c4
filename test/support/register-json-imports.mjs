// @actions/workflow-parser (ESM) imports JSON without an import attribute, which Node 20
// refuses: this loader hook adds `type: 'json'`. Import this module before importing the parser.
import { register } from 'node:module';

const HOOK = `
export async function load(url, context, nextLoad) {
  if (url.endsWith('.json')) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return nextLoad(url, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url);
