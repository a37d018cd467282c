// What every declaration needs: a @description on each param, a full resource type with an api
// version, and modules that exist, are passed only params they declare and every required one, and
// whose `<module>.outputs.<name>` are real outputs.
import path from 'node:path';
import { descendants, properties, propertyKey, propertyValue, where } from './bicep.mjs';

const API_VERSIONED_TYPE = /^[A-Za-z]+\.[A-Za-z]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/;

export function checkDeclarations({ root, parsed, problem }) {
  for (const info of parsed.values()) {
    for (const [name, param] of info.params) {
      if (!param.decorators.includes('description')) problem(`${where(info.file, param.node, root)}: param ${name} has no @description`);
    }
    for (const resource of info.resources) {
      if (!resource.type || !API_VERSIONED_TYPE.test(resource.type)) {
        problem(
          `${where(info.file, resource.node, root)}: resource ${resource.name} type "${resource.type}" is not a full type with an api version`,
        );
      }
    }
    for (const module of info.modules) checkModule(root, parsed, info, module, problem);
  }
}

function checkModule(root, parsed, info, module, problem) {
  const target = path.resolve(path.dirname(info.file), module.path ?? '');
  const callee = parsed.get(target);
  if (!callee) {
    problem(`${where(info.file, module.node, root)}: module ${module.name} path "${module.path}" does not exist`);
    return;
  }
  const passed = properties(propertyValue(module.body, 'params')).map(propertyKey);
  for (const name of passed) {
    if (!callee.params.has(name))
      problem(
        `${where(info.file, module.node, root)}: module ${module.name} passes "${name}", which ${path.basename(target)} does not declare`,
      );
  }
  for (const [name, param] of callee.params) {
    if (!param.hasDefault && !passed.includes(name))
      problem(`${where(info.file, module.node, root)}: module ${module.name} does not pass required param "${name}"`);
  }
  for (const node of descendants(info.tree.rootNode)) {
    if (node.type !== 'member_expression') continue;
    const [object, property] = [node.namedChildren[0], node.namedChildren[1]];
    if (
      object?.type === 'member_expression' &&
      object.namedChildren[0]?.text === module.name &&
      object.namedChildren[1]?.text === 'outputs'
    ) {
      if (!callee.outputs.has(property.text))
        problem(`${where(info.file, node, root)}: ${module.name}.outputs.${property.text} is not an output of ${path.basename(target)}`);
    }
  }
}
