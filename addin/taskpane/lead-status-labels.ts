// The lead status as users read it, one label per status (the search results show it before the badge's chunk
// arrives). Imports the contract's types only.
import type { LeadStatus } from '../../server/http/contract';

export const leadStatusLabels: Record<LeadStatus, string> = {
  new: 'New',
  working: 'Working',
  qualified: 'Qualified',
  suspect: 'Handed off',
  sales_qualified: 'Sales qualified',
  handed_back: 'Handed back',
  nurture: 'Nurture',
  disqualified: 'Disqualified',
};
