// The Function App's app settings as the templates set them: the keys of its `config/appsettings`
// properties and of the objects they union, followed into main.bicep through the module's params.
import path from 'node:path';
import { bodyObject, properties, propertyKey, propertyValue } from './bicep.mjs';

/** Each app setting, with the expression that sets it and the file that expression is in. */
export function collectAppSettings(parsed, main, problem) {
  const functionModule = main.modules.find((module) => module.path === 'modules/function-app.bicep');
  const functionFile = [...parsed.values()].find((info) => info.file.endsWith(path.join('modules', 'function-app.bicep')));
  if (!functionModule || !functionFile) {
    problem('infra: main.bicep must deploy modules/function-app.bicep');
    return new Map();
  }
  const settings = new Map();
  const addObject = (object, source) => {
    for (const property of properties(object))
      settings.set(propertyKey(property), { value: property.namedChildren[property.namedChildren.length - 1], source });
  };
  const expand = (node, info, source) => {
    if (!node) return;
    if (node.type === 'object') return addObject(node, source);
    if (node.type === 'call_expression' && node.namedChildren[0]?.text === 'union') {
      for (const argument of node.namedChildren[1].namedChildren) expand(argument, info, source);
      return;
    }
    if (node.type === 'ternary_expression') {
      for (const branch of node.namedChildren.slice(1)) expand(branch, info, source);
      return;
    }
    if (node.type === 'parenthesized_expression') return expand(node.namedChildren[0], info, source);
    if (node.type === 'identifier' && info.variables.has(node.text)) return expand(info.variables.get(node.text), info, source);
    if (node.type === 'identifier' && info === functionFile && info.params.has(node.text)) {
      // A module param: follow what main.bicep passes for it.
      return expand(propertyValue(propertyValue(functionModule.body, 'params'), node.text), main, 'main.bicep');
    }
  };
  const config = functionFile.resources.find((resource) => resource.type?.startsWith('Microsoft.Web/sites/config@'));
  if (!config) {
    problem('infra/modules/function-app.bicep: no Microsoft.Web/sites/config (appsettings) resource');
    return settings;
  }
  expand(propertyValue(bodyObject(config.node.namedChildren[2]), 'properties'), functionFile, 'function-app.bicep');
  return settings;
}
