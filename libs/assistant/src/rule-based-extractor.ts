import type { ActionExtraction } from './action-schema.js';

/**
 * The offline action extractor: a handful of regular expressions for the obvious phrasings ("remind me to …",
 * "schedule … at …", "text Sam that …"). It is deliberately narrow (no context, English only, times in UTC) and
 * every result it produces is labelled `rules` so nobody mistakes it for the language model.
 */
export function extractActionsByRules(text: string, now: Date): ActionExtraction {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length === 0) return { call_to_action: false };

  const contact =
    /\b(text|message|email|e-mail|call|tell)\s+(?:my\s+)?([a-z][\w'-]*)\s+(?:that|to say|saying|to)\s+(.+)/i.exec(
      clean,
    );
  if (contact) {
    const verb = contact[1]!.toLowerCase();
    return {
      call_to_action: true,
      action_type: 'contact',
      contact: {
        name: contact[2]!,
        method: verb === 'email' || verb === 'e-mail' ? 'email' : 'message',
        details: stripEnd(contact[3]!),
      },
    };
  }

  const remind =
    /\b(?:remind me to|remind me about|remember to|don't let me forget to|do not let me forget to)\s+(.+)/i.exec(
      clean,
    );
  if (remind) {
    const { rest, when } = extractTime(remind[1]!, now);
    return {
      call_to_action: true,
      action_type: 'remind',
      remind: { time: isoLocal(when ?? new Date(now.getTime() + 3_600_000)), description: stripEnd(rest) },
    };
  }

  const schedule = /\b(?:schedule|book|set up|put)\s+(?:a |an |the )?(.+)/i.exec(clean);
  if (schedule) {
    const { rest, when } = extractTime(schedule[1]!, now);
    if (when) {
      const name = stripEnd(rest.replace(/\s+(?:in|on) (?:my|the) calendar\b/i, ''));
      return {
        call_to_action: true,
        action_type: 'schedule',
        schedule: {
          start_time: isoLocal(when),
          end_time: isoLocal(new Date(when.getTime() + 3_600_000)),
          name,
        },
      };
    }
  }
  return { call_to_action: false };
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Finds one time expression (tomorrow / tonight / weekday / at 3pm / in 20 minutes), removes it from the text. */
export function extractTime(text: string, now: Date): { rest: string; when?: Date } {
  let rest = ` ${text} `;
  let day: Date | undefined;
  let hour: number | undefined;
  let minute = 0;

  const relative = /\s+in (\d+|an?|one|two|ten|twenty|thirty) (minutes?|hours?)\b/i.exec(rest);
  if (relative) {
    const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, ten: 10, twenty: 20, thirty: 30 };
    const n = words[relative[1]!.toLowerCase()] ?? Number(relative[1]);
    const ms = /hour/i.test(relative[2]!) ? n * 3_600_000 : n * 60_000;
    return { rest: clean(rest.replace(relative[0], ' ')), when: new Date(now.getTime() + ms) };
  }

  const startOfDay = (offsetDays: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays));
  if (/\s(tomorrow)\b/i.test(rest)) {
    day = startOfDay(1);
    rest = rest.replace(/\s(?:tomorrow)\b/i, ' ');
  } else if (/\s(tonight|this evening)\b/i.test(rest)) {
    day = startOfDay(0);
    hour = 19;
    rest = rest.replace(/\s(?:tonight|this evening)\b/i, ' ');
  } else if (/\s(today)\b/i.test(rest)) {
    day = startOfDay(0);
    rest = rest.replace(/\s(?:today)\b/i, ' ');
  } else {
    const weekday = /\s(?:on |next )?(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/i.exec(
      rest,
    );
    if (weekday) {
      const target = WEEKDAYS.indexOf(weekday[1]!.toLowerCase());
      const delta = (target - now.getUTCDay() + 7) % 7 || 7;
      day = startOfDay(delta);
      rest = rest.replace(weekday[0], ' ');
    }
  }

  const clock = /\s(?:at|by|around) (\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\W|$)/i.exec(rest);
  if (clock) {
    let h = Number(clock[1]);
    const m = clock[2] ? Number(clock[2]) : 0;
    const meridiem = clock[3]?.toLowerCase().replace(/\./g, '');
    if (meridiem === 'pm' && h < 12) h += 12;
    if (meridiem === 'am' && h === 12) h = 0;
    if (!meridiem && h < 8) h += 12; // "at 3" in everyday speech is the afternoon
    if (h <= 23 && m <= 59) {
      hour = h;
      minute = m;
      rest = rest.replace(clock[0], ' ');
    }
  }

  if (day === undefined && hour === undefined) return { rest: clean(rest) };
  if (day === undefined) {
    day = startOfDay(0);
    const candidate = new Date(day.getTime() + (hour! * 60 + minute) * 60_000);
    if (candidate.getTime() <= now.getTime()) day = startOfDay(1);
  }
  const when = new Date(day.getTime() + ((hour ?? 9) * 60 + minute) * 60_000);
  return { rest: clean(rest), when };
}

function clean(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function stripEnd(s: string): string {
  return clean(clean(s).replace(/[.!?,;]+$/, ''));
}

/** "2026-11-22T15:00:00" (UTC, without zone: the schema's "ISO 8601 local date-time"). */
export function isoLocal(date: Date): string {
  return date.toISOString().slice(0, 19);
}
