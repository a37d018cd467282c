// Intune's Windows release catalogue: beta `managedDeviceWindowsOSImages` (DESIGN §16), listed
// whole, all pages, whatever GRAPH_API_VERSION says (the catalogue exists on beta only).
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { WindowsRelease } from '../domain';
import type { WindowsReleaseCatalogue } from '../ports';
import { classifyGraphError } from './classifyGraphError';
import { GraphCallOptions } from './graphRetryPolicy';
import { toPage } from './toPage';
import { unreadableAnswer } from './unreadableAnswer';

const WINDOWS_RELEASES = '/deviceManagement/managedDeviceWindowsOSImages';
const HEADERS = { Prefer: 'include-unknown-enum-members' };

// Lenient inside a release: an odd edition or update is the rules' to judge (and log), not a reason
// to lose the whole catalogue.
const entries = z
  .array(z.record(z.string(), z.unknown()))
  .nullish()
  .transform((items) => items ?? []);
const releaseBody = z.object({ id: z.string().min(1), supportedEditions: entries, availableUpdates: entries });

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** A managedDeviceWindowsOperatingSystemImage from Graph's JSON; throws a PermanentError naming the field when it is not one. */
export function toWindowsRelease(body: unknown): WindowsRelease {
  const parsed = releaseBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer('a Windows release', parsed.error);
  const { id, supportedEditions, availableUpdates } = parsed.data;
  return {
    id,
    editions: supportedEditions.flatMap((edition) => {
      const editionType = text(edition['editionType']);
      return editionType === null ? [] : [{ editionType, supportEndDate: text(edition['supportEndDate']) }];
    }),
    updates: availableUpdates.map((update) => ({
      buildVersion: text(update['buildVersion']) ?? '',
      releaseMonth: number(update['releaseMonth']),
      releaseYear: number(update['releaseYear']),
    })),
  };
}

export function createWindowsReleaseCatalogue(options: { readonly client: Client; readonly timeoutMs?: number }): WindowsReleaseCatalogue {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return {
    async list(): Promise<WindowsRelease[]> {
      const what = 'listing the Windows release catalogue';
      const deadline = Date.now() + timeoutMs;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const releases: WindowsRelease[] = [];
        // Pages read here, as in deviceImageApi.ts: the SDK's PageIterator takes a page without `value` for the end.
        for (let next: string | null = WINDOWS_RELEASES; next !== null;) {
          const body: unknown = await options.client
            .api(next)
            .version('beta')
            .headers(HEADERS)
            .middlewareOptions([new GraphCallOptions(false, deadline)])
            .option('signal', signal)
            .get();
          const page = toPage(body, 'a Windows release catalogue page');
          releases.push(...page.items.map(toWindowsRelease));
          next = page.nextLink;
        }
        return releases;
      } catch (error) {
        throw classifyGraphError(error, what);
      }
    },
  };
}
