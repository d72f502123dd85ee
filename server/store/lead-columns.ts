// A lead's fields as the columns of the leads table, apart from the store so that code without a database connection
// (the CSV reader, which may run in a worker thread) can lay out rows without loading the query builder.
// Imports: the domain's lead types.
import type { LeadFields } from '../domain/lead';

/** A lead's fields as the leads table's columns. */
export function fieldsToRow(f: LeadFields) {
  return {
    contact_name: f.contactName,
    title: f.title,
    email: f.email,
    phone: f.phone,
    company_name: f.companyName,
    web_domain: f.webDomain,
    website: f.website,
    employee_count: f.employeeCount,
    country: f.country,
    time_zone: f.timeZone,
    decision_maker: f.decisionMaker,
    needs: f.needs,
    current_solution: f.currentSolution,
    competitors: f.competitors,
    budget: f.budget,
    product_interests: f.productInterests,
    demo_requested: f.demoRequested,
    source_list: f.sourceList,
    notes: f.notes,
  };
}

export type LeadFieldColumn = keyof ReturnType<typeof fieldsToRow>;

/** Every column fieldsToRow fills, with its SQL type (tsc checks the list is complete); its order is the columns'. */
export const leadFieldColumnTypes = {
  contact_name: 'text',
  title: 'text',
  email: 'text',
  phone: 'text',
  company_name: 'text',
  web_domain: 'text',
  website: 'text',
  employee_count: 'integer',
  country: 'text',
  time_zone: 'text',
  decision_maker: 'boolean',
  needs: 'text',
  current_solution: 'text',
  competitors: 'text[]',
  budget: 'text',
  product_interests: 'text[]',
  demo_requested: 'boolean',
  source_list: 'text',
  notes: 'text',
} as const satisfies Record<LeadFieldColumn, 'text' | 'integer' | 'boolean' | 'text[]'>;

export const leadFieldColumns = Object.keys(leadFieldColumnTypes) as LeadFieldColumn[];
