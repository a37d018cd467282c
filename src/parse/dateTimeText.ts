// JSON Schema's `date-time` (RFC 3339, as ajv-formats checks it), minus what `Date` cannot read: a
// leap second (`:60`) or an hours-only offset (`+02`) passes the schema but would become NaN in every
// computation made with it.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const isLeap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && isLeap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** True for an RFC 3339 date-time with a time zone, e.g. `2024-05-01T12:00:00Z` or `2024-05-01T14:00:00.5+02:00`. */
export function isDateTimeText(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return false;
  if ((offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) return false;
  return Number.isFinite(Date.parse(value.replace(' ', 'T')));
}
