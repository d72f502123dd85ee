// Per-team hand-off policy: the shipped file parses, a team's override replaces only what it names, and a bad value
// is refused naming its path.
import fs from 'node:fs';
import { parseTeamPolicies, policyOf } from '../../../server/domain/team-policy';
import { defaultHandoffPolicyFile } from '../../../server/settings/load-settings';

describe('team hand-off policy', () => {
  it('reads the shipped file: EMEA skips German holidays, the Americas have a 6-hour SLA', () => {
    const parsed = parseTeamPolicies(JSON.parse(fs.readFileSync(defaultHandoffPolicyFile, 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(policyOf(parsed.value, 'emea')).toMatchObject({ country: 'DE', sla: { dueWorkingHours: 8 }, meetingMinutes: 30 });
    expect(policyOf(parsed.value, 'americas')).toMatchObject({ country: 'US', sla: { dueWorkingHours: 6 } });
    expect(policyOf(parsed.value, 'unknown-team')).toBe(parsed.value.default);
    expect(policyOf(parsed.value, null).country).toBeNull();
  });

  it.each([
    [{ default: { sla: { dueWorkingHours: 0, reminderShare: 0.5, secondLevelAfterWorkingHours: null }, country: null, meetingMinutes: 30, minNoticeHours: 4, prepMinutes: 0, slotCount: 3 } }, 'default.sla.dueWorkingHours'],
    [{ default: { sla: { dueWorkingHours: 8, reminderShare: 1, secondLevelAfterWorkingHours: null }, country: null, meetingMinutes: 30, minNoticeHours: 4, prepMinutes: 0, slotCount: 3 } }, 'default.sla.reminderShare'],
    [{ default: { sla: { dueWorkingHours: 8, reminderShare: null, secondLevelAfterWorkingHours: null }, country: 'Germany', meetingMinutes: 30, minNoticeHours: 4, prepMinutes: 0, slotCount: 3 } }, 'default.country'],
    [{ default: { sla: { dueWorkingHours: 8, reminderShare: null, secondLevelAfterWorkingHours: null }, country: null, meetingMinutes: 30, minNoticeHours: 4, prepMinutes: 0, slotCount: 3 }, teams: { emea: { slotCount: 0 } } }, 'teams.emea.slotCount'],
  ])('refuses a bad value naming its path (%#)', (json, field) => {
    const parsed = parseTeamPolicies(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.map((e) => e.field)).toContain(field);
  });
});
