// The lead status as users read it: the Fluent badge that shows its label (./lead-status-labels), shared by the
// search results and the lead card. Imports React, Fluent UI, the contract's types and the labels.
import { Badge, type BadgeProps } from '@fluentui/react-components';
import type { LeadStatus } from '../../server/http/contract';
import { leadStatusLabels } from './lead-status-labels';

const statusColours: Record<LeadStatus, NonNullable<BadgeProps['color']>> = {
  new: 'informative',
  working: 'brand',
  qualified: 'success',
  suspect: 'warning',
  sales_qualified: 'success',
  handed_back: 'severe',
  nurture: 'subtle',
  disqualified: 'danger',
};

export function leadStatusLabel(status: LeadStatus): string {
  return leadStatusLabels[status];
}

export function LeadStatusBadge({ status }: { status: LeadStatus }): React.JSX.Element {
  return (
    <Badge appearance="tint" color={statusColours[status]} shape="rounded" size="small">
      {leadStatusLabels[status]}
    </Badge>
  );
}
