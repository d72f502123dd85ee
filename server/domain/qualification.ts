// Qualification: the criteria (configuration, server/settings/qualification.json) a lead must meet before it may
// be handed off, and the pure check that lists what is missing for the lead card.
// Imports: zod, ./lead, ./lead-validation (FieldError, fieldLabels). The caller reads the JSON file.
import { z } from 'zod';
import { leadFieldNames, type LeadFieldName, type LeadFields, type Result } from './lead';
import { fieldLabels, type FieldError } from './lead-validation';

export { fieldLabels };

type FieldKind = 'text' | 'number' | 'boolean' | 'list';

const fieldKinds: Readonly<Record<LeadFieldName, FieldKind>> = {
  contactName: 'text',
  title: 'text',
  email: 'text',
  phone: 'text',
  companyName: 'text',
  webDomain: 'text',
  website: 'text',
  employeeCount: 'number',
  country: 'text',
  timeZone: 'text',
  decisionMaker: 'boolean',
  needs: 'text',
  currentSolution: 'text',
  competitors: 'list',
  budget: 'text',
  productInterests: 'list',
  demoRequested: 'boolean',
  sourceList: 'text',
  notes: 'text',
};

/** Which field kinds each check makes sense for; `present` means "known" and fits every field. */
const checkKinds = {
  present: ['text', 'number', 'boolean', 'list'],
  isTrue: ['boolean'],
  min: ['number'],
  oneOf: ['text', 'number', 'list'],
  nonEmpty: ['list'],
} as const satisfies Record<string, readonly FieldKind[]>;

interface RuleBase {
  /** Stable id (snake_case), reported in `missing[].rule`. */
  id: string;
  label: string;
  field: LeadFieldName;
}

export type QualificationRule = RuleBase &
  (
    | { check: 'present' }
    | { check: 'isTrue' }
    | { check: 'nonEmpty' }
    | { check: 'min'; value: number }
    | { check: 'oneOf'; value: readonly (string | number)[] }
  );

export interface QualificationCriteria {
  required: readonly LeadFieldName[];
  rules: readonly QualificationRule[];
}

/** One unmet criterion: a required field (rule `required`) or a failed rule (rule = its id). */
export interface MissingCriterion {
  field: LeadFieldName;
  rule: string;
  label: string;
}

export interface Qualification {
  qualified: boolean;
  missing: MissingCriterion[];
}

/** The rule name `missing[].rule` uses for required fields; no configured rule may take it as its id. */
export const requiredRule = 'required';

const isLeadFieldName = (key: string): key is LeadFieldName => (leadFieldNames as readonly string[]).includes(key);

// Checked where it stands (not in the refinement below), so it is reported together with every other issue.
const fieldName = z.string().refine(isLeadFieldName, {
  error: (issue) => `"${String(issue.input)}" is not a lead field; one of: ${leadFieldNames.join(', ')}.`,
  params: { code: 'unknown_field' },
});

const base = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, e.g. budget_known'),
  label: z.string().trim().min(1).max(200),
  field: fieldName,
};

const schema = z
  .strictObject({
    required: z.array(fieldName),
    rules: z.array(
      z.discriminatedUnion('check', [
        z.strictObject({ ...base, check: z.literal('present') }),
        z.strictObject({ ...base, check: z.literal('isTrue') }),
        z.strictObject({ ...base, check: z.literal('nonEmpty') }),
        z.strictObject({ ...base, check: z.literal('min'), value: z.number() }),
        z.strictObject({
          ...base,
          check: z.literal('oneOf'),
          value: z.array(z.union([z.string().min(1), z.number()])).min(1),
        }),
      ]),
    ),
  })
  .superRefine((criteria, ctx) => {
    const issue = (path: (string | number)[], code: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path, message, params: { code } });
    };
    criteria.required.forEach((name, i) => {
      if (criteria.required.indexOf(name) !== i) issue(['required', i], 'duplicate', `"${name}" is listed twice.`);
    });
    const ids = new Set<string>();
    criteria.rules.forEach((rule, i) => {
      if (rule.id === requiredRule) issue(['rules', i, 'id'], 'reserved_id', `"${requiredRule}" is reserved.`);
      if (ids.has(rule.id)) issue(['rules', i, 'id'], 'duplicate', `Rule id "${rule.id}" is used twice.`);
      ids.add(rule.id);
      if (!isLeadFieldName(rule.field)) return;
      const kind = fieldKinds[rule.field];
      if (!(checkKinds[rule.check] as readonly FieldKind[]).includes(kind)) {
        issue(['rules', i, 'check'], 'check_not_applicable', `Check "${rule.check}" does not apply to ${rule.field} (${kind}).`);
        return;
      }
      if (rule.check === 'oneOf') {
        const want = kind === 'number' ? 'number' : 'string';
        rule.value.forEach((v, j) => {
          if (typeof v !== want) issue(['rules', i, 'value', j], 'invalid_type', `${rule.field} values are ${want}s.`);
        });
      }
    });
  });

/** "rules[2].field" from ['rules', 2, 'field']; "(root)" for the document itself. */
export function jsonPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? '(root)' : text;
}

/** Zod issues as FieldErrors: the JSON path in `field`, a stable code (ours for custom checks, else zod's). */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: jsonPath([...issue.path, key]),
        code: 'unknown_key',
        message: `"${key}" is not a known key.`,
      }));
    }
    const params: unknown = issue.code === 'custom' ? issue.params : undefined;
    const custom = typeof params === 'object' && params !== null && 'code' in params ? params.code : undefined;
    const code = typeof custom === 'string' ? custom : issue.code;
    return [{ field: jsonPath(issue.path), code, message: issue.message }];
  });
}

/** Validates qualification criteria read from JSON. */
export function parseQualificationCriteria(json: unknown): Result<QualificationCriteria, FieldError[]> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: zodFieldErrors(parsed.error) };
  return { ok: true, value: parsed.data };
}

/** Known: not null, not blank text, not an empty list. `false` is known (decision maker: no). */
function isPresent(value: LeadFields[LeadFieldName]): boolean {
  if (value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const sameText = (a: string, b: string): boolean => a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0;

function passes(rule: QualificationRule, value: LeadFields[LeadFieldName]): boolean {
  switch (rule.check) {
    case 'present':
      return isPresent(value);
    case 'isTrue':
      return value === true;
    case 'nonEmpty':
      return Array.isArray(value) && value.length > 0;
    case 'min':
      return typeof value === 'number' && value >= rule.value;
    case 'oneOf': {
      const matches = (v: string | number): boolean =>
        rule.value.some((want) => (typeof v === 'string' && typeof want === 'string' ? sameText(v, want) : v === want));
      if (Array.isArray(value)) return value.some(matches);
      return (typeof value === 'string' || typeof value === 'number') && matches(value);
    }
  }
}

/**
 * What the lead still lacks: every unmet required field (in the configured order), then every failed rule (in
 * the configured order). Qualified when nothing is missing.
 */
export function qualify(fields: LeadFields, criteria: QualificationCriteria): Qualification {
  const missing: MissingCriterion[] = [];
  for (const field of criteria.required) {
    if (!isPresent(fields[field])) missing.push({ field, rule: requiredRule, label: fieldLabels[field] });
  }
  for (const rule of criteria.rules) {
    if (!passes(rule, fields[rule.field])) missing.push({ field: rule.field, rule: rule.id, label: rule.label });
  }
  return { qualified: missing.length === 0, missing };
}
