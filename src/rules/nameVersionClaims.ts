// displayName + version identify a device image in the tenant, so two source images must never ask
// for the same pair.
//
// Who claims a pair:
// - a device image in Graph claims its own pair for its source image (it holds it);
// - a ledger row that isn't skipped claims its pair for its source image (it holds it);
// - an in-scope, eligible source image that still needs a device image claims the pair its naming
//   gives (it holds it only when its own ledger row, not skipped, already has that pair).
//
// Who keeps it, when more than one source image claims a pair:
// - the one source whose device image is in Graph (Graph enforces the pair, so it is the truth);
// - else the one source whose ledger row holds it (already queued, creating or done);
// - else nobody: every claimant is skipped as name-version-taken. The app picks no arbitrary winner
//   (listing order is not a decision an administrator made); renaming one of them settles it on the
//   next reconcile.
// Pairs compare case-insensitively (displayName also Unicode-normalised, versions canonical).
import { type DeviceImage, type LedgerEntry, sourceImageKey } from '../domain';
import { parseVersion } from './naming';

export type ClaimBasis = 'device-image' | 'ledger' | 'listing';

export interface NameVersionClaim {
  /** The source image id as it is best displayed (ARM's casing when known). */
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly basis: ClaimBasis;
  /** True when the claimant already holds the pair (a device image, or a ledger row not skipped). */
  readonly holds: boolean;
}

/** The comparison key of a displayName + version pair. */
export function nameVersionKey(displayName: string, version: string): string {
  const name = displayName.trim().normalize('NFC').toLowerCase();
  const canonical = parseVersion(version) ?? version.trim().toLowerCase();
  return `${name}\u0000${canonical}`;
}

interface Claimant {
  readonly sourceImageResourceId: string;
  readonly onGraph: boolean;
  readonly holds: boolean;
}

function claimantsByPair(claims: readonly NameVersionClaim[]): Map<string, Map<string, Claimant>> {
  const pairs = new Map<string, Map<string, Claimant>>();
  for (const claim of claims) {
    const pair = nameVersionKey(claim.displayName, claim.version);
    const claimants = pairs.get(pair) ?? new Map<string, Claimant>();
    pairs.set(pair, claimants);
    const source = sourceImageKey(claim.sourceImageResourceId);
    const earlier = claimants.get(source);
    claimants.set(source, {
      // The listing's id keeps ARM's casing; prefer it for display.
      sourceImageResourceId:
        earlier !== undefined && claim.basis !== 'listing' ? earlier.sourceImageResourceId : claim.sourceImageResourceId,
      onGraph: (earlier?.onGraph ?? false) || claim.basis === 'device-image',
      holds: (earlier?.holds ?? false) || claim.holds,
    });
  }
  return pairs;
}

function keeper(claimants: readonly Claimant[]): Claimant | null {
  const onGraph = claimants.filter((claimant) => claimant.onGraph);
  if (onGraph.length > 0) return onGraph.length === 1 ? (onGraph[0] ?? null) : null;
  const holding = claimants.filter((claimant) => claimant.holds);
  return holding.length === 1 ? (holding[0] ?? null) : null;
}

/**
 * The claimants that may not have their pair, keyed by `sourceImageKey`, each with the source image
 * id(s) it loses to: the keeper, or (when nobody keeps the pair) every other claimant.
 */
export function resolveNameVersionClaims(claims: readonly NameVersionClaim[]): Map<string, readonly string[]> {
  const losers = new Map<string, readonly string[]>();
  for (const bySource of claimantsByPair(claims).values()) {
    if (bySource.size < 2) continue;
    const claimants = [...bySource.entries()];
    const kept = keeper([...bySource.values()]);
    for (const [source, claimant] of claimants) {
      if (claimant === kept) continue;
      const takenBy =
        kept !== null
          ? [kept.sourceImageResourceId]
          : claimants.filter(([other]) => other !== source).map(([, other]) => other.sourceImageResourceId);
      losers.set(source, [...(losers.get(source) ?? []), ...takenBy]);
    }
  }
  return losers;
}

/** An in-scope, eligible source image that has no device image yet and would be registered. */
export interface NameVersionCandidate {
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  /** Its own ledger row, if any. */
  readonly row: LedgerEntry | undefined;
}

export interface NameVersionClaimsInput {
  /** The tenant's whole list. */
  readonly deviceImages: readonly DeviceImage[];
  readonly ledger: readonly LedgerEntry[];
  /** `sourceImageKey`s of every in-scope listed image: their current naming, not their rows, speaks for them. */
  readonly listed: ReadonlySet<string>;
  readonly candidates: readonly NameVersionCandidate[];
}

/** Every claim on a displayName + version pair, from Graph, the ledger and the candidates. */
export function collectNameVersionClaims(input: NameVersionClaimsInput): NameVersionClaim[] {
  const claims: NameVersionClaim[] = input.deviceImages.map((deviceImage) => ({
    sourceImageResourceId: deviceImage.sourceImageResourceId,
    displayName: deviceImage.displayName,
    version: deviceImage.version,
    basis: 'device-image',
    holds: true,
  }));
  for (const row of input.ledger) {
    if (row.state === 'skipped' || row.displayName === null || row.version === null) continue;
    if (input.listed.has(sourceImageKey(row.sourceImageResourceId))) continue;
    claims.push({
      sourceImageResourceId: row.sourceImageResourceId,
      displayName: row.displayName,
      version: row.version,
      basis: 'ledger',
      holds: true,
    });
  }
  for (const candidate of input.candidates) {
    const { row } = candidate;
    const holds =
      row !== undefined &&
      row.state !== 'skipped' &&
      row.displayName !== null &&
      row.version !== null &&
      nameVersionKey(row.displayName, row.version) === nameVersionKey(candidate.displayName, candidate.version);
    claims.push({ ...candidate, basis: 'listing', holds });
  }
  return claims;
}
