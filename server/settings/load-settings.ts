// Reads the configuration files an admin edits (qualification criteria, hand-back reasons) at boot and validates
// them with the domain's parsers; a bad file stops the boot with its path and the JSON path at fault.
import fs from 'node:fs';
import path from 'node:path';
import type { HandBackReason } from '../domain/lifecycle';
import { parseHandBackReasons } from '../domain/lifecycle';
import { parseQualificationCriteria, type QualificationCriteria } from '../domain/qualification';
import type { FieldError } from '../domain/lead-validation';
import type { Result } from '../domain/lead';
import { parseTeamPolicies, type TeamPolicies } from '../domain/team-policy';
import { parseReportSettings, type ReportSettings } from '../domain/report-settings';
import { parseWeeklySyncPolicies, type WeeklySyncPolicies } from '../domain/weekly-sync';

export interface Settings {
  qualificationCriteria: QualificationCriteria;
  handBackReasons: readonly HandBackReason[];
  handoffPolicies: TeamPolicies;
  /** The weekly report: schedule and distribution list per team, fields counted as missing data. */
  reportSettings: ReportSettings;
  /** The weekly SDR↔AE sync per team: weekday, length, local hours, when the agenda is written. */
  weeklySync: WeeklySyncPolicies;
}

export class SettingsError extends Error {
  constructor(file: string, detail: string) {
    super(`Settings error in ${file}: ${detail}`);
    this.name = 'SettingsError';
  }
}

function readJson<T>(file: string, parse: (json: unknown) => Result<T, FieldError[]>): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SettingsError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(file, `is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = parse(json);
  if (!parsed.ok) throw new SettingsError(file, parsed.error.map((f) => `${f.field}: ${f.message}`).join('; '));
  return parsed.value;
}

/** The default hand-off policy file, beside this module. */
export const defaultHandoffPolicyFile = path.join(__dirname, 'handoff-policy.json');

/** The default weekly SDR↔AE sync settings, beside this module. */
export const defaultWeeklySyncFile = path.join(__dirname, 'weekly-sync.json');

/** The default weekly report schedule, beside this module. */
export const defaultReportScheduleFile = path.join(__dirname, 'report-schedule.json');

export function loadSettings(files: { qualificationFile: string; handBackReasonsFile: string; handoffPolicyFile?: string; reportScheduleFile?: string; weeklySyncFile?: string }): Settings {
  return {
    qualificationCriteria: readJson(files.qualificationFile, parseQualificationCriteria),
    handBackReasons: readJson(files.handBackReasonsFile, parseHandBackReasons),
    handoffPolicies: readJson(files.handoffPolicyFile ?? defaultHandoffPolicyFile, parseTeamPolicies),
    reportSettings: readJson(files.reportScheduleFile ?? defaultReportScheduleFile, parseReportSettings),
    weeklySync: readJson(files.weeklySyncFile ?? defaultWeeklySyncFile, parseWeeklySyncPolicies),
  };
}
