// Following a Bicep expression across the files: through variables, module params (what each caller
// passes), module outputs and resource names, to what it comes down to or where in main.bicep it
// comes from.
import path from 'node:path';
import { descendants, propertyValue, stringValue } from './bicep.mjs';

/** Identifiers an expression depends on, through the file's variables. */
export function references(node, info, seen = new Set()) {
  for (const child of [node, ...descendants(node)]) {
    if (child.type !== 'identifier' || seen.has(child.text)) continue;
    seen.add(child.text);
    const variable = info.variables.get(child.text);
    if (variable) references(variable, info, seen);
  }
  return seen;
}

export function moduleFile(info, module, parsed) {
  return parsed.get(path.resolve(path.dirname(info.file), module.path ?? ''));
}

/** The modules (in any file) that deploy this file. */
export function callersOf(info, parsed) {
  return [...parsed.values()].flatMap((caller) =>
    caller.modules.filter((module) => moduleFile(caller, module, parsed) === info).map((module) => ({ module, caller })),
  );
}

/**
 * What an expression comes down to across the files: a variable's value, what each caller passes for
 * a param (or its default), a module output's expression, a resource's `name`. The leaves, each with
 * the file it is in.
 */
export function trace(node, info, parsed, depth = 0) {
  if (!node || depth > 40) return [];
  const next = (child, where = info) => trace(child, where, parsed, depth + 1);
  if (node.type === 'parenthesized_expression') return next(node.namedChildren[0]);
  // `c ? a : b`: either branch may be what it comes down to.
  if (node.type === 'ternary_expression') return node.namedChildren.slice(1).flatMap((branch) => next(branch));
  if (node.type === 'identifier') {
    if (info.variables.has(node.text)) return next(info.variables.get(node.text));
    const param = info.params.get(node.text);
    if (param) {
      const callers = callersOf(info, parsed);
      if (callers.length === 0) return param.defaultNode ? next(param.defaultNode) : [{ node, info }];
      return callers.flatMap(({ module, caller }) => {
        const passed = propertyValue(propertyValue(module.body, 'params'), node.text);
        return passed ? next(passed, caller) : param.defaultNode ? next(param.defaultNode) : [];
      });
    }
  }
  if (node.type === 'member_expression') {
    const [object, property] = node.namedChildren;
    if (object?.type === 'member_expression' && object.namedChildren[1]?.text === 'outputs') {
      const module = info.modules.find((candidate) => candidate.name === object.namedChildren[0]?.text);
      const callee = module && moduleFile(info, module, parsed);
      const output = callee?.outputValues.get(property.text);
      if (output) return next(output, callee);
    }
    if (object?.type === 'identifier' && property?.text === 'name') {
      const resource = info.resources.find((candidate) => candidate.name === object.text);
      if (resource) return next(propertyValue(resource.body, 'name'));
    }
  }
  return [{ node, info }];
}

/** The literal strings an expression comes down to; undefined if any branch is not a literal. */
export function literals(node, info, parsed) {
  const values = trace(node, info, parsed).map((leaf) => stringValue(leaf.node));
  return values.length > 0 && values.every((value) => value !== undefined) ? [...new Set(values)] : undefined;
}

/** The resource an expression names (`x`, `x.id`, `x.identity.principalId`), with the member path. */
export function resourceOf(leaf) {
  const members = [];
  let node = leaf.node;
  while (node?.type === 'member_expression') {
    members.unshift(node.namedChildren[1]?.text);
    node = node.namedChildren[0];
  }
  // `queues[index]`: one of a resource loop.
  if (node?.type === 'subscript_expression') node = node.namedChildren[0];
  const resource = node?.type === 'identifier' ? leaf.info.resources.find((candidate) => candidate.name === node.text) : undefined;
  return resource ? { resource, info: leaf.info, members: members.join('.') } : undefined;
}

/** Whether an expression, or a variable it uses, contains this text (a role definition id). */
export function mentions(node, info, text) {
  return [...references(node, info)].some((name) => info.variables.get(name)?.text.includes(text)) || node.text.includes(text);
}

/** The files main.bicep deploys, itself included: what `azd provision` deploys. */
export function provisionTree(main, parsed) {
  const seen = new Set();
  const visit = (info) => {
    if (!info || seen.has(info)) return;
    seen.add(info);
    for (const module of info.modules) visit(moduleFile(info, module, parsed));
  };
  visit(main);
  return seen;
}

/** The top of the module tree a file belongs to: the file that deploys it (transitively), deployed by none. */
export function deploymentRoots(info, parsed, seen = new Set()) {
  if (seen.has(info)) return [];
  seen.add(info);
  const callers = callersOf(info, parsed);
  return callers.length === 0 ? [info] : callers.flatMap(({ caller }) => deploymentRoots(caller, parsed, seen));
}

/**
 * What an expression's value comes from in main.bicep: the main.bicep params and `<module>.outputs.<name>`
 * expressions it is made of, followed through variables, module params (what each caller passes) and
 * module outputs. `identity.outputs.principalId`, `imagePipelinePrincipalIds`, ...
 */
export function mainSources(node, info, parsed, main) {
  const found = new Set();
  const visit = (current, where, depth) => {
    if (!current || depth > 60) return;
    if (current.type === 'member_expression') {
      const [object, property] = current.namedChildren;
      if (object?.type === 'member_expression' && object.namedChildren[1]?.text === 'outputs') {
        if (where === main) {
          found.add(current.text);
          return;
        }
        const module = where.modules.find((candidate) => candidate.name === object.namedChildren[0]?.text);
        const callee = module && moduleFile(where, module, parsed);
        const output = callee?.outputValues.get(property?.text);
        if (output) visit(output, callee, depth + 1);
        return;
      }
    }
    if (current.type === 'identifier') {
      if (where.variables.has(current.text)) return visit(where.variables.get(current.text), where, depth + 1);
      const param = where.params.get(current.text);
      if (!param) return;
      if (where === main) {
        found.add(current.text);
        return;
      }
      const callers = callersOf(where, parsed);
      if (callers.length === 0) return visit(param.defaultNode, where, depth + 1);
      for (const { module, caller } of callers) {
        const passed = propertyValue(propertyValue(module.body, 'params'), current.text);
        if (passed) visit(passed, caller, depth + 1);
        else visit(param.defaultNode, where, depth + 1);
      }
      return;
    }
    // An object literal's keys are identifiers too; only its values matter.
    if (current.type === 'object_property') return visit(current.namedChildren[current.namedChildren.length - 1], where, depth + 1);
    for (const child of current.namedChildren) visit(child, where, depth + 1);
  };
  visit(node, info, 0);
  return found;
}

/** The text of every main.bicep expression an expression comes from (its variables expanded), across module params. */
export function mainText(node, info, parsed, main) {
  const texts = [];
  const visit = (current, where, depth) => {
    if (!current || depth > 60) return;
    if (current.type === 'identifier') {
      const variable = where.variables.get(current.text);
      if (variable) {
        if (where === main) texts.push(variable.text);
        return visit(variable, where, depth + 1);
      }
      if (where !== main && where.params.has(current.text)) {
        for (const { module, caller } of callersOf(where, parsed))
          visit(propertyValue(propertyValue(module.body, 'params'), current.text), caller, depth + 1);
        return;
      }
    }
    if (where === main) texts.push(current.text);
    if (current.type === 'object_property') return visit(current.namedChildren[current.namedChildren.length - 1], where, depth + 1);
    for (const child of current.namedChildren) visit(child, where, depth + 1);
  };
  visit(node, info, 0);
  return texts.join('\n');
}
