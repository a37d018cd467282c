// The Bicep side of the infra check: every .bicep file of infra/ parsed with the tree-sitter Bicep
// grammar (there is no Bicep compiler on the machine), and the small readers of its syntax tree that
// the checks share.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

let parser;
async function bicepParser() {
  if (parser) return parser;
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function* descendants(node) {
  for (const child of node.namedChildren) {
    yield child;
    yield* descendants(child);
  }
}

export function stringValue(node) {
  if (node?.type !== 'string') return undefined;
  if (node.namedChildren.some((child) => child.type !== 'string_content')) return undefined; // interpolated
  return node.namedChildren.map((child) => child.text).join('');
}

export function literal(node) {
  if (!node) return undefined;
  if (node.type === 'string') return stringValue(node);
  if (node.type === 'number' || node.type === 'boolean') return node.text;
  return undefined;
}

export function propertyKey(property) {
  const key = property.namedChildren[0];
  return key?.type === 'string' ? stringValue(key) : key?.text;
}

export function properties(object) {
  return object ? object.namedChildren.filter((child) => child.type === 'object_property') : [];
}

export function propertyValue(object, key) {
  const property = properties(object).find((candidate) => propertyKey(candidate) === key);
  return property?.namedChildren[property.namedChildren.length - 1];
}

/** The `{ ... }` of a resource or module, through `if (...)` and `[for ...: ...]`. */
export function bodyObject(node) {
  if (!node) return undefined;
  if (node.type === 'object') return node;
  if (node.type === 'if_statement' || node.type === 'for_statement') return bodyObject(node.namedChildren[node.namedChildren.length - 1]);
  return undefined;
}

function decoratorNames(declaration) {
  const previous = declaration.previousNamedSibling;
  if (previous?.type !== 'decorators') return [];
  return previous.namedChildren.map((decorator) => decorator.namedChildren[0]?.namedChildren[0]?.text?.replace(/^sys\./, '') ?? '');
}

/** `infra/modules/x.bicep:12`: where a node is, for a finding. */
export function where(file, node, root) {
  return `${path.relative(root, file)}:${node.startPosition.row + 1}`;
}

export const typeOf = (resource, prefix) => resource.type?.startsWith(`${prefix}@`) ?? false;

/** The `for` of a resource or module declared as a loop, if it is one. */
export const loopOf = (declaration) =>
  declaration.node.namedChildren[2]?.type === 'for_statement' ? declaration.node.namedChildren[2] : undefined;

/** One parsed .bicep file: its params, outputs, modules, resources and every object key it sets. */
function describe(file, tree) {
  const top = tree.rootNode.namedChildren;
  const params = new Map();
  for (const declaration of top.filter((node) => node.type === 'parameter_declaration')) {
    const [name, , defaultValue] = declaration.namedChildren;
    params.set(name.text, {
      node: declaration,
      hasDefault: defaultValue !== undefined,
      default: literal(defaultValue),
      defaultNode: defaultValue,
      decorators: decoratorNames(declaration),
    });
  }
  const outputValues = new Map(
    top
      .filter((node) => node.type === 'output_declaration')
      .map((node) => [node.namedChildren[0].text, node.namedChildren[node.namedChildren.length - 1]]),
  );
  const outputs = new Set(outputValues.keys());
  const modules = top
    .filter((node) => node.type === 'module_declaration')
    .map((node) => ({
      node,
      name: node.namedChildren[0].text,
      path: stringValue(node.namedChildren[1]),
      body: bodyObject(node.namedChildren[2]),
    }));
  const resources = top
    .filter((node) => node.type === 'resource_declaration')
    .map((node) => ({
      node,
      name: node.namedChildren[0].text,
      type: stringValue(node.namedChildren[1]),
      body: bodyObject(node.namedChildren[2]),
      existing: node.children.some((child) => child.type === 'existing'),
    }));
  const variables = new Map(
    top.filter((node) => node.type === 'variable_declaration').map((node) => [node.namedChildren[0].text, node.namedChildren[1]]),
  );
  const targetScope = stringValue(top.find((node) => node.type === 'target_scope_assignment')?.namedChildren[0]) ?? 'resourceGroup';
  return { file, tree, params, outputs, outputValues, modules, resources, variables, targetScope };
}

/** Every .bicep file under infraDir, parsed and described, by absolute path (in sorted order). */
export async function parseBicepFiles(infraDir) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep')) files.push(full);
    }
  };
  walk(infraDir);
  const bicep = await bicepParser();
  const parsed = new Map();
  for (const file of files.sort()) parsed.set(file, describe(file, bicep.parse(readFileSync(file, 'utf8'))));
  return parsed;
}
