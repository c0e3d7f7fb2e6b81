/**
 * The ISO 8601 subset Python's `datetime.fromisoformat` accepts (3.11 and
 * later), as an instant in microseconds since the epoch. The application
 * reads an override's `expires_at` with it, so a gate that must agree with
 * the application's gate has to accept exactly the same strings.
 *
 * The grammar, as that parser applies it (checked against CPython by the
 * differential test in test/overrides.test.ts):
 *
 * - a date of 7, 8 or 10 characters: `YYYY-MM-DD`, `YYYYMMDD`, `YYYY-Www`,
 *   `YYYYWww`, `YYYY-Www-D`, `YYYYWwwD` (ISO week dates);
 * - optionally one separator character of any kind, then a time:
 *   `HH[:MM[:SS[.f+]]]` or `HH[MM[SS[.f+]]]` (`,` also starts a fraction;
 *   digits past the sixth are dropped);
 * - optionally `Z` or a `+`/`-` offset in the same time syntax, which must be
 *   less than 24 hours;
 * - no offset means the caller decides (here: UTC).
 *
 * @module
 */

const ASCII_NO_NUL = /^[ -~\t\n\r\v\f]*$/;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** `n` ASCII digits at `s[at]`, or undefined. */
function digits(s: string, at: number, n: number): number | undefined {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s[at + i];
    if (!isDigit(c)) return undefined;
    v = v * 10 + (c as string).charCodeAt(0) - 48;
  }
  return v;
}

/** Where the date part ends, by its shape; -1 when the shape is impossible. */
function dateLength(s: string): number {
  if (s.length === 7) return 7;
  if (s[4] === "-") {
    if (s[5] !== "W") return 10;
    if (s.length < 8) return -1;
    if (s.length > 8 && s[8] === "-") {
      if (s.length === 9) return -1;
      return s.length > 10 && isDigit(s[10]) ? 8 : 10;
    }
    return 8;
  }
  if (s[4] !== "W") return 8;
  let end = 7;
  while (end < s.length && isDigit(s[end])) end++;
  if (end < 9) return end;
  return end % 2 === 0 ? 7 : 8;
}

const daysIn = (y: number, m: number): number => [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (any year, as
 * `Date.UTC` counts them, years 1-99 included), by integer arithmetic.
 */
export function epochDay(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date part as days since the epoch, or undefined. */
function parseDate(s: string, len: number): number | undefined {
  const year = digits(s, 0, 4);
  if (year === undefined) return undefined;
  let p = 4;
  const dashed = s[p] === "-";
  if (dashed) p++;
  if (s[p] === "W") {
    p++;
    const week = digits(s, p, 2);
    if (week === undefined) return undefined;
    p += 2;
    let day = 1;
    if (p < len) {
      if (dashed && s[p++] !== "-") return undefined;
      const d = digits(s, p, 1);
      if (d === undefined) return undefined;
      day = d;
    }
    if (year < 1 || week < 1 || day < 1 || day > 7) return undefined;
    // Week 53 exists only in years whose 1 January is a Thursday, or a
    // Wednesday in a leap year.
    const jan1 = (((epochDay(year, 1, 1) + 4) % 7) + 7) % 7; // 0 = Sunday
    const leap = daysIn(year, 2) === 29;
    if (week > 53 || (week === 53 && !(jan1 === 4 || (jan1 === 3 && leap)))) return undefined;
    const jan4 = epochDay(year, 1, 4);
    const jan4Weekday = ((((jan4 + 4) % 7) + 7) % 7 + 6) % 7; // 0 = Monday
    const days = jan4 - jan4Weekday + (week - 1) * 7 + (day - 1);
    // The result must still be a datetime year 1..9999.
    if (days < epochDay(1, 1, 1) || days > epochDay(9999, 12, 31)) return undefined;
    return days;
  }
  const month = digits(s, p, 2);
  if (month === undefined) return undefined;
  p += 2;
  if (dashed && s[p++] !== "-") return undefined;
  const day = digits(s, p, 2);
  if (day === undefined) return undefined;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return epochDay(year, month, day);
}

interface Clock {
  h: number;
  m: number;
  s: number;
  us: number;
  /** Characters were left after the fraction. */
  trailing: boolean;
}

/** `HH[:MM[:SS[.f]]]` (or the basic form) in `s[from, to)`; undefined when malformed. */
function parseClock(s: string, from: number, to: number): Clock | undefined {
  const v = [0, 0, 0];
  let p = from;
  let colons = true;
  for (let i = 0; i < 3; i++) {
    const n = digits(s, p, 2);
    if (n === undefined) return undefined;
    v[i] = n;
    p += 2;
    // The character after the digits; past `to` it is whatever follows (an
    // offset sign, or the end of the string).
    const c = s[p++];
    if (i === 0) colons = c === ":";
    if (p >= to) return { h: v[0] ?? 0, m: v[1] ?? 0, s: v[2] ?? 0, us: 0, trailing: c !== undefined };
    if (colons && c === ":") continue;
    if (c === "." || c === ",") break;
    if (!colons) p--;
    else return undefined;
  }
  // Whatever follows the groups (after a fraction mark, or straight after
  // the seconds) is read as up to six fraction digits.
  const take = Math.min(to - p, 6);
  if (take <= 0) return undefined;
  const frac = digits(s, p, take);
  if (frac === undefined) return undefined;
  p += take;
  while (isDigit(s[p])) p++;
  return { h: v[0] ?? 0, m: v[1] ?? 0, s: v[2] ?? 0, us: frac * 10 ** (6 - take), trailing: p < s.length };
}

/**
 * The instant `text` names, in microseconds since 1970-01-01T00:00:00Z, by
 * Python's `datetime.fromisoformat` rules; a string without an offset is
 * taken as UTC.
 *
 * @returns undefined when Python would refuse the string.
 * @example
 * ```ts
 * isoInstantMicros("2026-05-02"); // 1777680000000000n
 * isoInstantMicros("2026-05-01T12:00:00.5+02:00"); // 1777629600500000n
 * isoInstantMicros("2026-05-01t12:00:01z"); // undefined
 * ```
 */
export function isoInstantMicros(text: string): bigint | undefined {
  // Non-ASCII and control characters never form part of the grammar (Python
  // would take one only as the date-time separator); refusing them outright
  // also keeps character and byte positions the same.
  if (text.length < 7 || !ASCII_NO_NUL.test(text)) return undefined;
  const dateLen = dateLength(text);
  if (dateLen < 0 || dateLen > text.length) return undefined;
  const day = parseDate(text, dateLen);
  if (day === undefined) return undefined;
  let clock: Clock = { h: 0, m: 0, s: 0, us: 0, trailing: false };
  let offsetUs = 0n;
  if (text.length > dateLen) {
    const start = dateLen + 1;
    let tz = start;
    while (tz < text.length && !(text[tz] === "Z" || text[tz] === "+" || text[tz] === "-")) tz++;
    if (start > text.length - 1 && tz === start) return undefined; // separator with nothing after it
    const parsed = parseClock(text, start, tz);
    if (parsed === undefined) return undefined;
    clock = parsed;
    if (tz === text.length) {
      if (clock.trailing) return undefined;
    } else if (text[tz] === "Z") {
      if (tz + 1 !== text.length) return undefined;
    } else {
      const sign = text[tz] === "-" ? -1n : 1n;
      const off = parseClock(text, tz + 1, text.length);
      if (off === undefined || off.trailing) return undefined;
      const whole = (off.h * 60 + off.m) * 60 + off.s;
      const us = BigInt(whole * 1_000_000 + off.us);
      if (us >= 86_400_000_000n) return undefined;
      // An offset of zero whole seconds is UTC itself: its fraction is dropped.
      offsetUs = whole === 0 ? 0n : sign * us;
    }
  }
  if (clock.h > 23 || clock.m > 59 || clock.s > 59) return undefined;
  const secs = BigInt(day) * 86_400n + BigInt(clock.h * 3600 + clock.m * 60 + clock.s);
  return secs * 1_000_000n + BigInt(clock.us) - offsetUs;
}
