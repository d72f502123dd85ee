// The lead status as users read it: a label per status and the Fluent badge that shows it, shared by the search
// results and the lead card. Imports React, Fluent UI and the contract's types.
import { Badge, type BadgeProps } from '@fluentui/react-components';
import type { LeadStatus } from '../../server/http/contract';

const statusView: Record<LeadStatus, { label: string; color: NonNullable<BadgeProps['color']> }> = {
  new: { label: 'New', color: 'informative' },
  working: { label: 'Working', color: 'brand' },
  qualified: { label: 'Qualified', color: 'success' },
  suspect: { label: 'Handed off', color: 'warning' },
  sales_qualified: { label: 'Sales qualified', color: 'success' },
  handed_back: { label: 'Handed back', color: 'severe' },
  nurture: { label: 'Nurture', color: 'subtle' },
  disqualified: { label: 'Disqualified', color: 'danger' },
};

export function leadStatusLabel(status: LeadStatus): string {
  return statusView[status].label;
}

export function LeadStatusBadge({ status }: { status: LeadStatus }): React.JSX.Element {
  const view = statusView[status];
  return (
    <Badge appearance="tint" color={view.color} shape="rounded" size="small">
      {view.label}
    </Badge>
  );
}
