// The AE's rating of a lead, table by table: which ratings an outcome takes (and every refusal, naming the field),
// the audit text, the counts of a period and the one before, and the figures made of them (average, distribution,
// most-ticked fields, by SDR with the SDR's source lists, by source list, the change from the period before).
import { checkRating, countRatings, ratingAuditText, ratingReport, type RatingInput, type RatingRow } from '../../../server/domain/rating';
import { fieldLabels } from '../../../server/domain/lead-validation';
import { ratingFieldLabels } from '../../../server/http/contract';

describe('checkRating', () => {
  it.each<[string, string, RatingInput | undefined, { code: string; field: string }]>([
    ['Sales Qualified without a rating', 'sales_qualified', undefined, { code: 'rating_required', field: 'rating' }],
    ['a hand-back without a rating', 'hand_back', undefined, { code: 'rating_required', field: 'rating' }],
    ['a no-show without a rating', 'no_show', undefined, { code: 'rating_required', field: 'rating' }],
    ['a reschedule with a rating', 'rescheduled', { score: 3 }, { code: 'rating_not_allowed', field: 'rating' }],
    ['score 0', 'sales_qualified', { score: 0 }, { code: 'invalid_score', field: 'rating.score' }],
    ['score 6', 'sales_qualified', { score: 6 }, { code: 'invalid_score', field: 'rating.score' }],
    ['score -1', 'hand_back', { score: -1 }, { code: 'invalid_score', field: 'rating.score' }],
    ['score 4.5', 'sales_qualified', { score: 4.5 }, { code: 'invalid_score', field: 'rating.score' }],
    ['score NaN', 'sales_qualified', { score: Number.NaN }, { code: 'invalid_score', field: 'rating.score' }],
    ['an unknown field', 'no_show', { score: 2, fields: ['budget', 'phone', 'shoeSize'] }, { code: 'unknown_lead_field', field: 'rating.fields.2' }],
    ['a snake_case column', 'no_show', { score: 2, fields: ['source_list'] }, { code: 'unknown_lead_field', field: 'rating.fields.0' }],
    ['a field ticked twice', 'no_show', { score: 2, fields: ['budget', 'needs', 'budget'] }, { code: 'duplicate_lead_field', field: 'rating.fields.2' }],
    ['a comment of 281 characters', 'sales_qualified', { score: 2, comment: 'x'.repeat(281) }, { code: 'comment_too_long', field: 'rating.comment' }],
  ])('refuses %s', (_name, outcome, input, error) => {
    const result = checkRating(outcome, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject(error);
  });

  it.each<[string, string, RatingInput | undefined, unknown]>([
    ['a bare score', 'sales_qualified', { score: 5 }, { score: 5, fields: [], comment: null }],
    ['score 1 with fields in the order ticked', 'hand_back', { score: 1, fields: ['needs', 'budget'] }, { score: 1, fields: ['needs', 'budget'], comment: null }],
    ['a sentence with whitespace folded', 'no_show', { score: 3, comment: '  Wrong\n number,   twice. ' }, { score: 3, fields: [], comment: 'Wrong number, twice.' }],
    ['a blank sentence as none', 'no_show', { score: 3, comment: '   ' }, { score: 3, fields: [], comment: null }],
    ['a null sentence', 'no_show', { score: 3, comment: null }, { score: 3, fields: [], comment: null }],
    ['280 characters after folding', 'no_show', { score: 4, comment: ` ${'y'.repeat(280)} ` }, { score: 4, fields: [], comment: 'y'.repeat(280) }],
    ['a reschedule without one', 'rescheduled', undefined, null],
  ])('accepts %s', (_name, outcome, input, rating) => {
    expect(checkRating(outcome, input)).toEqual({ ok: true, value: rating });
  });

  it('writes the audit text', () => {
    expect(ratingAuditText({ score: 2, fields: ['budget', 'phone'], comment: 'No budget.' })).toBe('2/5; missing or wrong: budget, phone; No budget.');
    expect(ratingAuditText({ score: 5, fields: [], comment: null })).toBe('5/5');
  });

  it("names the fields in the pane as the server does", () => {
    expect(ratingFieldLabels).toEqual(fieldLabels);
  });
});

const d = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const range = { from: d('16T00:00'), to: d('23T00:00') };
const previous = { from: d('09T00:00'), to: d('16T00:00') };
const people = [
  { id: 'sara', displayName: 'Sara Sdr' },
  { id: 'omar', displayName: 'Omar <Sdr>' },
];

function row(sdrId: string, source: string | null, score: number, at: string, fields: RatingRow['fields'] = [], comment: string | null = null): RatingRow {
  return { sdrId, source, score, fields, comment, companyName: `Co ${at}`, ratedAt: d(at) };
}

describe('countRatings and ratingReport', () => {
  const rows: RatingRow[] = [
    row('sara', 'Webinar', 2, '16T09:00', ['budget', 'phone'], 'No budget at all.'),
    row('sara', 'Webinar', 3, '17T09:00', ['budget']),
    row('sara', 'Trade fair', 5, '18T09:00', [], 'Great lead.'),
    row('sara', 'Webinar', 4, '12T09:00', ['phone']),
    row('omar', null, 1, '22T23:59', ['needs', 'budget', 'decisionMaker'], 'Not a buyer.'),
    row('omar', 'Trade fair', 4, '10T09:00'),
    // Outside both periods: not counted.
    row('omar', 'Webinar', 5, '23T00:00'),
    row('sara', 'Webinar', 5, '08T23:59'),
  ];
  const report = ratingReport(countRatings(rows, range, previous), people);

  it('counts the whole team: average, distribution, most-ticked fields, the change', () => {
    expect(report.total.current).toEqual({
      count: 4,
      average: 2.75,
      distribution: [1, 1, 1, 0, 1],
      fields: [
        { field: 'budget', count: 3 },
        { field: 'phone', count: 1 },
        { field: 'decisionMaker', count: 1 },
        { field: 'needs', count: 1 },
      ],
    });
    expect(report.total.previous).toMatchObject({ count: 2, average: 4, distribution: [0, 0, 0, 2, 0] });
    expect(report.total.change).toEqual({ count: 2, average: -1.25 });
  });

  it("gives each SDR's ratings, their source lists lowest first, and their newest sentences (the manager's per-SDR view)", () => {
    expect(report.bySdr.map((g) => g.label)).toEqual(['Omar <Sdr>', 'Sara Sdr']);
    const sara = report.bySdr[1];
    expect(sara?.current).toMatchObject({ count: 3, average: 3.33, fields: [{ field: 'budget', count: 2 }, { field: 'phone', count: 1 }] });
    expect(sara?.change).toEqual({ count: 2, average: -0.67 });
    expect(sara?.sources.map((x) => [x.source, x.current.average, x.previous.average])).toEqual([
      ['Webinar', 2.5, 4],
      ['Trade fair', 5, null],
    ]);
    expect(sara?.comments.map((c) => c.text)).toEqual(['Great lead.', 'No budget at all.']);
    const omar = report.bySdr[0];
    expect(omar?.current).toMatchObject({ count: 1, average: 1 });
    expect(omar?.change).toEqual({ count: 0, average: -3 });
    // A list rated only in the period before comes after the rated ones.
    expect(omar?.sources.map((x) => x.source)).toEqual([null, 'Trade fair']);
  });

  it('ranks the source lists by their average, lowest first', () => {
    expect(report.bySource.map((x) => [x.source, x.current.count, x.current.average, x.change.average])).toEqual([
      [null, 1, 1, null],
      ['Webinar', 2, 2.5, -1.5],
      ['Trade fair', 1, 5, 1],
    ]);
  });

  it('has no average and no change without ratings, and keeps only a few sentences per SDR', () => {
    expect(ratingReport(countRatings([], range, previous), people)).toEqual({
      total: { current: { count: 0, average: null, distribution: [0, 0, 0, 0, 0], fields: [] }, previous: { count: 0, average: null, distribution: [0, 0, 0, 0, 0], fields: [] }, change: { count: 0, average: null } },
      bySdr: [],
      bySource: [],
    });
    const many = ['16', '17', '18', '19', '20'].map((day, i) => row('sara', 'Webinar', 3, `${day}T10:00`, [], `Sentence ${String(i + 1)}.`));
    const kept = countRatings(many, range, previous, 3).comments.map((c) => c.text);
    expect(kept).toEqual(['Sentence 5.', 'Sentence 4.', 'Sentence 3.']);
  });
});
