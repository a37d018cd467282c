import type { StatusReport } from './statusReport';
import { renderTable } from './table';
import { imageLabel, sourceLabel } from './describeImage';

function detail(image: StatusReport['images'][number]): string {
  if (image.state === 'skipped') return `${image.reason ?? ''}: ${image.fix ?? ''}`;
  if (image.state === 'failed') return `${image.errorCode ?? ''}: ${image.reason ?? ''}`;
  return '';
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
        { header: 'DETAIL', value: detail, max: 140 },
      ]),
    );
  }
  if (report.problems.length > 0) {
    sections.push(`Problems (${report.problems.length}):\n${renderTable(report.problems, [
      { header: 'AT', value: (problem) => problem.at },
      { header: 'KIND', value: (problem) => problem.kind },
      { header: 'DETAIL', value: (problem) => problem.detail, max: 160 },
    ])}`);
  }
  const { summary } = report;
  sections.push(`${summary.inScope} image(s): ${summary.ready} ready, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.inScope - summary.ready - summary.failed - summary.skipped} in progress; ${summary.problems} problem(s).`);
  return sections.join('\n\n');
}
