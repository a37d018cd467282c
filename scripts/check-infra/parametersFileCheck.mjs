// infra/main.parameters.json (what azd passes): it maps only real params of main.bicep and every
// required one, and an azd default is main.bicep's default.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readParameters } from './findings.mjs';

export function checkParametersFile({ root, main, problem }) {
  if (!existsSync(path.join(root, 'infra/main.parameters.json'))) return problem('infra/main.parameters.json is missing');
  const parameters = readParameters(root);
  for (const [name, entry] of Object.entries(parameters)) {
    const param = main.params.get(name);
    if (!param) {
      problem(`infra/main.parameters.json: "${name}" is not a param of main.bicep`);
      continue;
    }
    const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\}$/s.exec(String(entry.value));
    if (match?.[2] !== undefined && param.default !== undefined && match[2] !== param.default) {
      problem(`infra/main.parameters.json: "${name}" defaults to "${match[2]}" but main.bicep to "${param.default}"`);
    }
  }
  for (const [name, param] of main.params) {
    if (!param.hasDefault && !(name in parameters))
      problem(`infra/main.parameters.json: required param "${name}" is not mapped to an azd environment value`);
  }
}
