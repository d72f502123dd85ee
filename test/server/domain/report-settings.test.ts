// The weekly report's settings file: the shipped file loads; per-team overrides fall back to the default; a bad
// value is refused naming its JSON path.
import path from 'node:path';
import { parseReportSettings, reportScheduleOf } from '../../../server/domain/report-settings';
import { loadSettings, SettingsError } from '../../../server/settings/load-settings';

const base = { default: { weekday: 'monday', hour: 8, recipients: ['sales@example.com'] }, checkedFields: ['phone', 'budget'] };

describe('report settings', () => {
  it('loads the shipped schedule through the settings loader', () => {
    const settings = loadSettings({ qualificationFile: path.resolve('server/settings/qualification.json'), handBackReasonsFile: path.resolve('server/settings/hand-back-reasons.json') });
    expect(reportScheduleOf(settings.reportSettings, 'emea')).toMatchObject({ enabled: true, weekday: 'monday', hour: 8 });
    expect(reportScheduleOf(settings.reportSettings, 'americas').hour).toBe(9);
    expect(settings.reportSettings.checkedFields).toContain('budget');
  });

  it('merges a team override over the default', () => {
    const parsed = parseReportSettings({ ...base, teams: { emea: { weekday: 'friday', enabled: false } } });
    expect(parsed.ok && reportScheduleOf(parsed.value, 'emea')).toEqual({ enabled: false, weekday: 'friday', hour: 8, recipients: ['sales@example.com'] });
    expect(parsed.ok && reportScheduleOf(parsed.value, 'other')).toEqual({ enabled: true, weekday: 'monday', hour: 8, recipients: ['sales@example.com'] });
  });

  it.each([
    [{ ...base, default: { ...base.default, hour: 24 } }, 'default.hour'],
    [{ ...base, default: { ...base.default, weekday: 'someday' } }, 'default.weekday'],
    [{ ...base, teams: { emea: { recipients: ['not an address'] } } }, 'teams.emea.recipients[0]'],
    [{ ...base, checkedFields: ['shoeSize'] }, 'checkedFields[0]'],
    [{ ...base, sendAt: 'noon' }, 'sendAt'],
  ])('refuses a bad value naming %#: %s', (json, field) => {
    const parsed = parseReportSettings(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.map((e) => e.field)).toContain(field);
  });

  it('stops the boot with the file and the field at fault', () => {
    expect(() =>
      loadSettings({
        qualificationFile: path.resolve('server/settings/qualification.json'),
        handBackReasonsFile: path.resolve('server/settings/hand-back-reasons.json'),
        reportScheduleFile: path.resolve('server/settings/qualification.json'),
      }),
    ).toThrow(SettingsError);
  });
});
