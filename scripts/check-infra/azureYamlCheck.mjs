// azure.yaml: it points at the infra, the packaged folder, and hooks that exist.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SERVICE_NAME } from './invariantsCheck.mjs';

const PACKAGE_FOLDER = 'artifacts/cloudpc-image-sync';

export function checkAzureYaml({ root, problem }) {
  const file = path.join(root, 'azure.yaml');
  if (!existsSync(file)) return problem('azure.yaml is missing');
  const config = YAML.parse(readFileSync(file, 'utf8'));
  const infraPath = config.infra?.path ?? 'infra';
  if (!existsSync(path.join(root, infraPath, `${config.infra?.module ?? 'main'}.bicep`)))
    problem(`azure.yaml: infra ${infraPath}/${config.infra?.module ?? 'main'}.bicep does not exist`);
  const service = config.services?.[SERVICE_NAME];
  if (!service) return problem(`azure.yaml: no service "${SERVICE_NAME}" (the azd-service-name tag)`);
  if (service.host !== 'function') problem('azure.yaml: the service host must be function');
  if (!['ts', 'js', 'typescript', 'javascript'].includes(service.language)) problem('azure.yaml: the service language must be ts or js');
  if (service.dist !== PACKAGE_FOLDER) problem(`azure.yaml: dist must be ${PACKAGE_FOLDER} (what npm run package writes)`);
  if (service.remoteBuild !== false) problem('azure.yaml: remoteBuild must be false (the package is self-contained)');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const hooks = [...Object.values(config.hooks ?? {}), ...Object.values(service.hooks ?? {})];
  for (const hook of hooks) {
    for (const shell of [hook, hook.posix, hook.windows].filter((value) => value?.run)) {
      const script = /node\s+(\S+\.mjs)/.exec(shell.run)?.[1];
      if (script && !existsSync(path.join(root, script))) problem(`azure.yaml: hook runs ${script}, which does not exist`);
      const npmScript = /npm run (\S+)/.exec(shell.run)?.[1];
      if (npmScript && !manifest.scripts?.[npmScript])
        problem(`azure.yaml: hook runs npm run ${npmScript}, which package.json does not define`);
    }
  }
}
