/**
 * Wall-clock time in an IANA time zone, and the time-window condition (issue 6, item 3). The
 * instant is an input; the zone's offset (including daylight-saving changes) comes from the
 * runtime's ICU data through Intl.DateTimeFormat (ECMA-402 §11), so a day with a DST change
 * is handled by the tz database, not by arithmetic here. Two runtimes with different tz data
 * could disagree about a zone whose rules changed recently: keep nodes and server on current
 * Node releases.
 */
import { WEEKDAYS, type TimeRange, type TimeWindowCondition, type Weekday } from './conditions.js';

export interface LocalTime {
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  readonly minuteOfDay: number;
}

export function localTimeIn(timeZone: string, instant: Date): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  const weekday = part('weekday')?.toLowerCase();
  if (!WEEKDAYS.includes(weekday as Weekday)) throw new Error(`unexpected weekday ${weekday}`);
  const hour = Number(part('hour')) % 24;
  const minute = Number(part('minute'));
  return { weekday: weekday as Weekday, minuteOfDay: hour * 60 + minute };
}

const minutes = (clock: string): number => {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

const clockText = (minuteOfDay: number): string =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] as Weekday;
}

/**
 * The day a moment belongs to for this range, or null when the moment is outside it. Ranges
 * are [from, to); one with to < from crosses midnight, and its part after midnight belongs
 * to the previous day (the day the range started).
 */
function rangeDay(range: TimeRange, at: LocalTime): Weekday | null {
  const from = minutes(range.from);
  const to = minutes(range.to);
  const t = at.minuteOfDay;
  if (from < to) return t >= from && t < to ? at.weekday : null;
  if (t >= from) return at.weekday;
  if (t < to) return previousDay(at.weekday);
  return null;
}

export interface TimeWindowResult {
  readonly holds: boolean;
  readonly reason: string;
}

export function checkTimeWindow(condition: TimeWindowCondition, now: Date): TimeWindowResult {
  const at = localTimeIn(condition.timeZone, now);
  const seen = `local time ${at.weekday} ${clockText(at.minuteOfDay)} in ${condition.timeZone}`;
  const days = condition.days;
  const dayText = days === undefined ? 'any day' : days.join(', ');
  if (condition.ranges === undefined) {
    const holds = days === undefined || days.includes(at.weekday);
    return { holds, reason: `${seen} is ${holds ? '' : 'not '}on ${dayText}` };
  }
  const rangesText = condition.ranges.map((r) => `${r.from}–${r.to}`).join(', ');
  const holds = condition.ranges.some((range) => {
    const day = rangeDay(range, at);
    return day !== null && (days === undefined || days.includes(day));
  });
  return {
    holds,
    reason: `${seen} is ${holds ? 'within' : 'outside'} ${rangesText} on ${dayText}`,
  };
}
