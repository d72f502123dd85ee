// Qualification: the shipped criteria parse, bad criteria are reported by JSON path, and qualify() lists what a
// lead still lacks, in a stable order. Pure domain test: no database.
import type { LeadFields } from '../../../server/domain/lead';
import {
  fieldLabels,
  parseQualificationCriteria,
  qualify,
  type QualificationCriteria,
} from '../../../server/domain/qualification';
import shipped from '../../../server/settings/qualification.json';

const shippedCriteria = (): QualificationCriteria => {
  const parsed = parseQualificationCriteria(shipped);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
};

const complete: LeadFields = {
  contactName: 'Ada Lovelace',
  title: 'CFO',
  email: 'ada@acme.com',
  phone: '+4930901820',
  companyName: 'Acme',
  webDomain: 'acme.com',
  website: 'https://acme.com',
  employeeCount: 120,
  country: 'DE',
  timeZone: 'Europe/Berlin',
  decisionMaker: true,
  needs: 'Month-end close takes two weeks',
  currentSolution: 'Excel',
  competitors: ['Salesforce'],
  budget: '50k EUR',
  productInterests: ['Payroll'],
  demoRequested: true,
  sourceList: 'DACH fintech Q3',
  notes: null,
};

describe('the shipped qualification.json', () => {
  it('parses', () => {
    expect(parseQualificationCriteria(shipped).ok).toBe(true);
  });

  it('qualifies a complete lead', () => {
    expect(qualify(complete, shippedCriteria())).toEqual({ qualified: true, missing: [] });
  });

  it.each<[string, Partial<LeadFields>, { field: string; rule: string; label: string }]>([
    ['no phone', { phone: null }, { field: 'phone', rule: 'required', label: 'Phone' }],
    ['no title', { title: null }, { field: 'title', rule: 'required', label: 'Title' }],
    ['no country', { country: null }, { field: 'country', rule: 'required', label: 'Country/region' }],
    ['blank needs', { needs: '  ' }, { field: 'needs', rule: 'required', label: 'Needs and pains' }],
    ['no budget', { budget: null }, { field: 'budget', rule: 'budget_known', label: 'Budget known' }],
    ['not a decision maker', { decisionMaker: false }, { field: 'decisionMaker', rule: 'decision_maker', label: 'Talking to a decision maker' }],
    ['decision maker unknown', { decisionMaker: null }, { field: 'decisionMaker', rule: 'decision_maker', label: 'Talking to a decision maker' }],
    ['49 employees', { employeeCount: 49 }, { field: 'employeeCount', rule: 'company_size', label: 'Company has at least 50 employees' }],
  ])('a lead with %s is not qualified', (_name, change, missing) => {
    expect(qualify({ ...complete, ...change }, shippedCriteria())).toEqual({ qualified: false, missing: [missing] });
  });

  it('takes exactly 50 employees', () => {
    expect(qualify({ ...complete, employeeCount: 50 }, shippedCriteria()).qualified).toBe(true);
  });

  it('lists every gap: required fields in configured order, then rules in configured order', () => {
    const result = qualify(
      { ...complete, needs: null, phone: null, employeeCount: null, budget: null, decisionMaker: null },
      shippedCriteria(),
    );
    expect(result.missing.map((m) => `${m.field}:${m.rule}`)).toEqual([
      'phone:required',
      'employeeCount:required',
      'needs:required',
      'budget:budget_known',
      'decisionMaker:decision_maker',
      'employeeCount:company_size',
    ]);
  });
});

describe('qualify with each check', () => {
  const criteria = (rule: unknown): QualificationCriteria => {
    const parsed = parseQualificationCriteria({ required: [], rules: [rule] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    return parsed.value;
  };
  const rule = { id: 'r', label: 'R' };

  it.each<[string, unknown, Partial<LeadFields>, boolean]>([
    ['present: text given', { ...rule, field: 'budget', check: 'present' }, { budget: '10k' }, true],
    ['present: text missing', { ...rule, field: 'budget', check: 'present' }, { budget: null }, false],
    ['present: false is known', { ...rule, field: 'decisionMaker', check: 'present' }, { decisionMaker: false }, true],
    ['present: empty list', { ...rule, field: 'competitors', check: 'present' }, { competitors: [] }, false],
    ['isTrue: true', { ...rule, field: 'demoRequested', check: 'isTrue' }, { demoRequested: true }, true],
    ['isTrue: false', { ...rule, field: 'demoRequested', check: 'isTrue' }, { demoRequested: false }, false],
    ['min: above', { ...rule, field: 'employeeCount', check: 'min', value: 10 }, { employeeCount: 11 }, true],
    ['min: below', { ...rule, field: 'employeeCount', check: 'min', value: 10 }, { employeeCount: 9 }, false],
    ['min: unknown', { ...rule, field: 'employeeCount', check: 'min', value: 10 }, { employeeCount: null }, false],
    ['oneOf: text in list', { ...rule, field: 'country', check: 'oneOf', value: ['DE', 'AT', 'CH'] }, { country: 'AT' }, true],
    ['oneOf: text ignores case', { ...rule, field: 'sourceList', check: 'oneOf', value: ['Webinar'] }, { sourceList: 'webinar' }, true],
    ['oneOf: text not in list', { ...rule, field: 'country', check: 'oneOf', value: ['DE', 'AT', 'CH'] }, { country: 'FR' }, false],
    ['oneOf: text missing', { ...rule, field: 'country', check: 'oneOf', value: ['DE'] }, { country: null }, false],
    ['oneOf: a list item matches', { ...rule, field: 'productInterests', check: 'oneOf', value: ['Payroll', 'HR'] }, { productInterests: ['CRM', 'HR'] }, true],
    ['oneOf: no list item matches', { ...rule, field: 'productInterests', check: 'oneOf', value: ['Payroll'] }, { productInterests: ['CRM'] }, false],
    ['nonEmpty: items', { ...rule, field: 'productInterests', check: 'nonEmpty' }, { productInterests: ['CRM'] }, true],
    ['nonEmpty: none', { ...rule, field: 'productInterests', check: 'nonEmpty' }, { productInterests: [] }, false],
  ])('%s', (_name, ruleJson, change, qualified) => {
    const result = qualify({ ...complete, ...change }, criteria(ruleJson));
    expect(result.qualified).toBe(qualified);
    expect(result.missing).toEqual(qualified ? [] : [{ field: (ruleJson as { field: string }).field, rule: 'r', label: 'R' }]);
  });
});

describe('parseQualificationCriteria rejects bad configuration, naming the JSON path', () => {
  const good = { id: 'budget_known', label: 'Budget known', field: 'budget', check: 'present' };
  it.each<[string, unknown, string, string]>([
    ['not an object', 42, '(root)', 'invalid_type'],
    ['rules missing', { required: [] }, 'rules', 'invalid_type'],
    ['an unknown top-level key', { required: [], rules: [], extra: true }, 'extra', 'unknown_key'],
    ['an unknown required field', { required: ['email', 'fax'], rules: [] }, 'required[1]', 'unknown_field'],
    ['a required field twice', { required: ['email', 'email'], rules: [] }, 'required[1]', 'duplicate'],
    ['an unknown rule field', { required: [], rules: [good, good, { ...good, id: 'x', field: 'budgett' }] }, 'rules[2].field', 'unknown_field'],
    ['an unknown key in a rule', { required: [], rules: [{ ...good, weight: 2 }] }, 'rules[0].weight', 'unknown_key'],
    ['an unknown check', { required: [], rules: [{ ...good, check: 'isFalse' }] }, 'rules[0].check', 'invalid_union'],
    ['min without a value', { required: [], rules: [{ ...good, field: 'employeeCount', check: 'min' }] }, 'rules[0].value', 'invalid_type'],
    ['min on a text field', { required: [], rules: [{ ...good, check: 'min', value: 3 }] }, 'rules[0].check', 'check_not_applicable'],
    ['isTrue on a text field', { required: [], rules: [{ ...good, check: 'isTrue' }] }, 'rules[0].check', 'check_not_applicable'],
    ['nonEmpty on a text field', { required: [], rules: [{ ...good, check: 'nonEmpty' }] }, 'rules[0].check', 'check_not_applicable'],
    ['oneOf with an empty list', { required: [], rules: [{ ...good, check: 'oneOf', value: [] }] }, 'rules[0].value', 'too_small'],
    ['oneOf with numbers for text', { required: [], rules: [{ ...good, check: 'oneOf', value: ['a', 1] }] }, 'rules[0].value[1]', 'invalid_type'],
    ['a rule id twice', { required: [], rules: [good, good] }, 'rules[1].id', 'duplicate'],
    ['the reserved id', { required: [], rules: [{ ...good, id: 'required' }] }, 'rules[0].id', 'reserved_id'],
    ['an id not in snake_case', { required: [], rules: [{ ...good, id: 'Budget Known' }] }, 'rules[0].id', 'invalid_format'],
    ['an empty label', { required: [], rules: [{ ...good, label: ' ' }] }, 'rules[0].label', 'too_small'],
  ])('%s → %s %s', (_name, json, field, code) => {
    const result = parseQualificationCriteria(json);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual({ field, code, message: expect.any(String) as string });
  });

  it('reports every problem at once', () => {
    const result = parseQualificationCriteria({
      required: ['fax'],
      rules: [{ ...good, field: 'budgett' }, { ...good, id: 'b', extra: 1 }],
    });
    expect(!result.ok && result.error.map((e) => e.field)).toEqual(['required[0]', 'rules[0].field', 'rules[1].extra']);
  });
});

describe('fieldLabels', () => {
  it('has a human label for every field', () => {
    expect(fieldLabels.phone).toBe('Phone');
    expect(Object.values(fieldLabels).every((l) => l.length > 0)).toBe(true);
  });
});
