// Least privilege (docs/permissions.md): every role assignment is one of ROLES or the templates' own
// custom role (galleryCheck.mjs holds that to its actions); and each caller of GRANTS gets exactly its
// grants, each at its scope (a queue or a table, not the account), nothing else.
import { where } from './bicep.mjs';
import { GRANTS, ROLE_NAMES, ROLES, isCustomRole, roleAssignments, roleName, scopeLabel, scopeOf } from './roles.mjs';

export function checkRoleAssignments({ root, parsed, main, problem }) {
  const granted = new Map(GRANTS.map((entry) => [entry, new Set()]));
  for (const assignment of roleAssignments(parsed, main)) {
    const { resource, info, principals: sources } = assignment;
    const at = `${where(info.file, resource.node, root)}: role assignment ${resource.name}`;
    const roleIds = [...new Set(assignment.roleIds)];
    if (roleIds.length === 0) problem(`${at}: its roleDefinitionId names no role definition id`);
    for (const id of roleIds) {
      if (!ROLE_NAMES.has(id) && !isCustomRole(id))
        problem(`${at} assigns role ${id}, which is not one the app needs (${Object.keys(ROLES).join(', ')})`);
    }
    const scopes = scopeOf(resource, info, parsed, main);
    for (const entry of GRANTS.filter((candidate) => sources.has(candidate.source))) {
      for (const scope of scopes) {
        const match = entry.grants.find(
          (grant) =>
            roleIds.length === 1 &&
            (grant.custom ? isCustomRole(roleIds[0]) : roleIds[0] === ROLES[grant.role]) &&
            scope.type === grant.scope &&
            [grant.named ?? []].flat().every((name) => scope.named.has(name)),
        );
        if (match) granted.get(entry)?.add(match);
        else {
          problem(
            `${at} gives ${entry.who} ${roleIds.map(roleName).join(', ') || '(no role)'} on ${scope.label}; they need only ${entry.grants.map((grant) => `${grant.role} on ${scopeLabel(grant)}`).join(', ')}`,
          );
        }
      }
    }
  }
  for (const [entry, found] of granted) {
    for (const grant of entry.grants.filter((candidate) => !found.has(candidate)))
      problem(`infra: no ${grant.role} on ${scopeLabel(grant)} for ${entry.who}`);
  }
}
