import type { StatusReport } from './statusReport';
import { renderTable } from './table';
import { imageLabel, sourceLabel } from './describeImage';

function detail(image: StatusReport['images'][number]): string {
  const parts: string[] = [];
  if (image.state === 'skipped') parts.push(`${image.reason ?? ''}: ${image.fix ?? ''}`);
  if (image.state === 'failed') parts.push(`${image.errorCode ?? ''}: ${image.reason ?? ''}`);
  if (image.state === 'retired' && image.reason !== null) parts.push(image.reason);
  if (image.policies.length > 0) parts.push(`used by ${image.policies.join(', ')}`);
  parts.push(...image.warnings.map((warning) => `warning ${warning}`));
  return parts.join('; ');
}

function osLabel(image: StatusReport['images'][number]): string {
  if (image.osStatus === null && image.expirationDate === null) return '-';
  return [image.osStatus ?? '?', image.expirationDate === null ? null : `until ${image.expirationDate}`]
    .filter((part) => part !== null)
    .join(' ');
}

/** The OS build and how far behind its release's latest update it is (DESIGN §16). */
function buildLabel(image: StatusReport['images'][number]): string {
  if (image.osVersionNumber === null) return '-';
  if (image.latestBuild === null || image.patchLag === null) return image.osVersionNumber;
  return image.patchLag === 0
    ? `${image.osVersionNumber} (current)`
    : `${image.osVersionNumber} (${image.patchLag} behind ${image.latestBuild})`;
}

export function renderStatus(report: StatusReport): string {
  const sections: string[] = [];
  if (report.images.length === 0) sections.push('No images in the ledger yet: run `image-sync sync` (or wait for the reconcile timer).');
  else {
    sections.push(
      renderTable(report.images, [
        { header: 'STATE', value: (image) => image.state },
        { header: 'IMAGE', value: (image) => imageLabel(image.displayName, image.version), max: 40 },
        { header: 'SOURCE', value: (image) => sourceLabel(image.sourceImageResourceId), max: 60 },
        { header: 'DEVICE IMAGE', value: (image) => image.deviceImageId ?? '-' },
        { header: 'OS', value: osLabel, max: 40 },
        { header: 'BUILD', value: buildLabel, max: 48 },
        { header: 'DETAIL', value: detail, max: 160 },
      ]),
    );
  }
  if (report.rollouts.length > 0) {
    sections.push(
      `Rollouts (${report.rollouts.length}):\n${renderTable(report.rollouts, [
        { header: 'STATE', value: (rollout) => rollout.state },
        { header: 'IMAGE', value: (rollout) => imageLabel(rollout.displayName, rollout.version), max: 40 },
        { header: 'RING', value: (rollout) => `${rollout.ring}/${rollout.rings}` },
        { header: 'POLICIES', value: (rollout) => rollout.policies.join('; '), max: 60 },
        { header: 'NEW CLOUD PCS', value: (rollout) => `${rollout.provisioned} provisioned, ${rollout.failed} failed` },
        { header: 'SINCE', value: (rollout) => rollout.since },
      ])}`,
    );
  }
  if (report.problems.length > 0) {
    sections.push(
      `Problems (${report.problems.length}):\n${renderTable(report.problems, [
        { header: 'AT', value: (problem) => problem.at },
        { header: 'KIND', value: (problem) => problem.kind },
        { header: 'DETAIL', value: (problem) => problem.detail, max: 160 },
      ])}`,
    );
  }
  const { summary } = report;
  const inProgress = summary.inScope - summary.ready - summary.failed - summary.skipped - summary.retired;
  sections.push(
    `${summary.inScope} registration(s): ${summary.ready} ready, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.retired} retired, ${inProgress} in progress; ${summary.warnings} with warnings; ${summary.problems} problem(s).`,
  );
  return sections.join('\n\n');
}
