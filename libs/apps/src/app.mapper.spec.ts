import { describeAction } from './app.mapper.js';

describe('describeAction (the apps show `details` as text)', () => {
  it('makes one sentence of each kind of action', () => {
    expect(describeAction('remind', { description: 'Water the plants', time: '2026-01-01T20:00:00' })).toBe(
      'Water the plants at 2026-01-01T20:00:00',
    );
    expect(
      describeAction('schedule', {
        name: 'Dentist',
        start_time: '2026-01-02T09:00:00',
        end_time: '2026-01-02T10:00:00',
        location: 'Main St',
      }),
    ).toBe('Dentist from 2026-01-02T09:00:00 to 2026-01-02T10:00:00 at Main St');
    expect(describeAction('contact', { name: 'Bob', method: 'call', details: 'about the keys' })).toBe(
      'call Bob: about the keys',
    );
  });

  it('falls back on the kind when a part is missing, and on the JSON for unknown kinds', () => {
    expect(describeAction('remind', {})).toBe('Reminder');
    expect(describeAction('schedule', { name: '  ' })).toBe('Event');
    expect(describeAction('contact', {})).toBe('Contact');
    expect(describeAction('other', { a: 1 })).toBe('{"a":1}');
    expect(describeAction('other', {})).toBeNull();
  });
});
