// Every .bicep file parses: a syntax error (or a token the grammar had to invent) is reported with its
// file and line.
import { descendants, where } from './bicep.mjs';

export function checkSyntax({ root, parsed, problem }) {
  for (const { file, tree } of parsed.values()) {
    for (const node of [tree.rootNode, ...descendants(tree.rootNode)]) {
      if (node.type === 'ERROR' || node.isMissing) problem(`${where(file, node, root)}: syntax error near "${node.text.slice(0, 40)}"`);
    }
    for (const child of tree.rootNode.children) {
      if (child.isMissing) problem(`${where(file, child, root)}: syntax error, missing "${child.type}"`);
    }
  }
}
