// Kysely table types: the database as Baton's store code sees it. Column names are snake_case in SQL;
// repositories map rows to domain records. Imports: kysely types only.
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface TeamTable {
  id: string;
  name: string;
  time_zone: string;
  pairing_mode: ColumnType<'one_to_one' | 'pool', 'one_to_one' | 'pool' | undefined, 'one_to_one' | 'pool'>;
  created_at: CreatedAt;
}

export interface UserTable {
  id: Generated<string>;
  entra_oid: string;
  tenant_id: string | null;
  email: string;
  display_name: string;
  role: 'sdr' | 'ae' | 'manager' | 'admin';
  team_id: string | null;
  manager_id: string | null;
  backup_id: string | null;
  time_zone: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PairingTable {
  sdr_id: string;
  ae_id: string;
  is_primary: boolean;
  created_at: CreatedAt;
}

export interface LeadTable {
  id: Generated<string>;
  team_id: string;
  owner_id: string;
  sdr_id: string;
  ae_id: string | null;
  status: string;
  contact_name: string;
  title: string | null;
  email: string;
  phone: string | null;
  company_name: string;
  web_domain: string | null;
  website: string | null;
  employee_count: number | null;
  country: string | null;
  time_zone: string | null;
  decision_maker: boolean | null;
  needs: string | null;
  current_solution: string | null;
  competitors: ColumnType<string[], string[] | undefined, string[]>;
  budget: string | null;
  product_interests: ColumnType<string[], string[] | undefined, string[]>;
  demo_requested: ColumnType<boolean, boolean | undefined, boolean>;
  source_list: string | null;
  notes: string | null;
  hand_back_reason: string | null;
  hand_back_text: string | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** Kept by the database (migration 009): bit i set when field missingFieldBits[i] is empty. */
  missing_fields: GeneratedAlways<number>;
}

export interface HandoffTable {
  id: Generated<string>;
  lead_id: string;
  team_id: string;
  sdr_id: string;
  ae_id: string;
  stage: string;
  stage_changed_at: Timestamp;
  created_at: CreatedAt;
  intro_message_id: string | null;
  intro_internet_message_id: string | null;
  intro_conversation_id: string | null;
  intro_sent_at: Timestamp | null;
  meeting_event_id: string | null;
  meeting_ical_uid: string | null;
  meeting_ae_event_id: string | null;
  meeting_start: Timestamp | null;
  meeting_end: Timestamp | null;
  demo_requested: ColumnType<boolean, boolean | undefined, boolean>;
  override_reason: string | null;
  prep_event_id: string | null;
  prep_start: Timestamp | null;
  prep_end: Timestamp | null;
  slot_start: Timestamp | null;
  slot_end: Timestamp | null;
  outcome: string | null;
  version: ColumnType<number, number | undefined, number>;
}

export interface ObligationTable {
  id: Generated<string>;
  handoff_id: string;
  kind: 'ae_reply' | 'ae_accept';
  status: string;
  started_at: Timestamp;
  due_at: Timestamp;
  remind_at: Timestamp;
  second_level_at: Timestamp;
  reminded_at: Timestamp | null;
  breached_at: Timestamp | null;
  escalated_at: Timestamp | null;
  met_at: Timestamp | null;
  time_to_respond_ms: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  met_within_sla: boolean | null;
  cancelled_at: Timestamp | null;
  next_check_at: Timestamp | null;
  claimed_until: Timestamp | null;
  version: ColumnType<number, number | undefined, number>;
  /** Working time the AE's absences took out of the clock (ms), as of the last re-plan or the answer. */
  paused_ms: ColumnType<string, number | string | undefined, number | string>;
  /** While the AE is away: the working time left on the clock (ms); null while it runs. */
  remaining_ms: ColumnType<string | null, number | string | null | undefined, number | string | null>;
}

export interface ActionTokenTable {
  id: string;
  handoff_id: string;
  action: 'reassign' | 'more_time' | 'nudge' | 'hand_back';
  recipient_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OutboxTable {
  id: Generated<string>;
  idempotency_key: string;
  handoff_id: string | null;
  kind: string;
  mailbox: string;
  payload: ColumnType<unknown, string, string>;
  status: 'pending' | 'done' | 'failed' | 'uncertain';
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  available_at: Timestamp;
  claimed_until: Timestamp | null;
  claimed_by: string | null;
  done_at: Timestamp | null;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  last_error: string | null;
}

export interface FollowupTable {
  id: Generated<string>;
  lead_id: string;
  owner_id: string;
  due_at: Timestamp;
  note: string;
  created_at: Timestamp;
  done_at: Timestamp | null;
}

export interface HandoffFindingTable {
  id: Generated<string>;
  handoff_id: string;
  kind: string;
  at: Timestamp;
  details: ColumnType<unknown, string, string>;
  source_event_id: string | null;
}

export type SubscriptionScope = 'events' | 'sentitems' | 'inbox';

export interface GraphSubscriptionTable {
  id: string;
  user_id: string;
  scope: SubscriptionScope;
  resource: string;
  client_state: string;
  status: 'active' | 'removed';
  expires_at: Timestamp;
  created_at: Timestamp;
  renewed_at: Timestamp | null;
  removed_at: Timestamp | null;
  removed_reason: string | null;
  claimed_until: Timestamp | null;
}

export interface NotificationQueueTable {
  id: Generated<string>;
  kind: 'change' | 'lifecycle';
  subscription_id: string;
  user_id: string;
  scope: SubscriptionScope;
  change_type: string | null;
  lifecycle_event: string | null;
  resource_id: string | null;
  received_at: Timestamp;
  available_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  claimed_until: Timestamp | null;
  claimed_by: string | null;
  processed_at: Timestamp | null;
  outcome: string | null;
  last_error: string | null;
}

export interface DeltaCursorTable {
  user_id: string;
  scope: SubscriptionScope;
  delta_link: string | null;
  window_start: Timestamp | null;
  window_end: Timestamp | null;
  synced_at: Timestamp | null;
  next_sync_at: Timestamp;
  resync_reason: string | null;
  claimed_until: Timestamp | null;
  failures: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

export interface HandoffEventTable {
  id: Generated<string>;
  handoff_id: string;
  kind: string;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  dedupe_key: string;
  payload: ColumnType<unknown, string, string>;
  consumed_at: Timestamp | null;
}

export interface AuditTable {
  id: Generated<string>;
  entity: 'lead' | 'handoff' | 'action';
  entity_id: string;
  actor_id: string | null;
  at: Timestamp;
  from_state: string | null;
  to_state: string;
  reason_code: string | null;
  reason_text: string | null;
}

export interface LeadRatingTable {
  id: Generated<string>;
  handoff_id: string;
  handoff_version: number;
  lead_id: string;
  team_id: string;
  sdr_id: string;
  ae_id: string;
  outcome: 'sales_qualified' | 'hand_back' | 'no_show';
  score: number;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  comment: string | null;
  rated_at: Timestamp;
}

export interface WeeklySyncTable {
  pair_key: string;
  team_id: string;
  sdr_id: string;
  ae_id: string;
  status: 'booking' | 'booked' | 'missing' | 'no_common_hours' | 'ended';
  generation: ColumnType<number, number | undefined, number>;
  event_id: string | null;
  weekday: string | null;
  start_time: string | null;
  length_minutes: number | null;
  time_zone: string | null;
  first_start: Timestamp | null;
  agenda_through: string | null;
  reason: string | null;
  reason_key: string | null;
  check_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AwaySpanTable {
  id: Generated<string>;
  user_id: string;
  start_at: Timestamp;
  end_at: Timestamp | null;
  source: 'alwaysEnabled' | 'scheduled';
  recorded_at: Timestamp;
}

export interface AwayCheckTable {
  user_id: string;
  next_check_at: Timestamp;
  checked_at: Timestamp | null;
  failures: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

/** One countable fact of a hand-off, or where a lead's "no future follow-up" span starts or ends (migration 010). */
export interface ReportFactTable {
  id: Generated<string>;
  handoff_id: string | null;
  lead_id: string;
  team_id: string;
  sdr_id: string;
  ae_id: string | null;
  kind: string;
  at: Timestamp;
  source: string | null;
  mask: number | null;
  code: string | null;
  txt: string | null;
  value: number | null;
  anomalous: boolean;
  handoff_created_at: Timestamp | null;
  handoff_closed_at: Timestamp | null;
}

/** report_facts counted per UTC day or month and what the report groups by (migration 010). */
export interface ReportRollupTable {
  bucket: 'day' | 'month';
  start_date: string;
  team_id: string;
  sdr_id: string;
  ae_id: string | null;
  kind: string;
  source: string | null;
  mask: number | null;
  code: string | null;
  value: number | null;
  n: number;
}

export interface Database {
  teams: TeamTable;
  users: UserTable;
  pairings: PairingTable;
  leads: LeadTable;
  handoffs: HandoffTable;
  audit_log: AuditTable;
  graph_subscriptions: GraphSubscriptionTable;
  notification_queue: NotificationQueueTable;
  delta_cursors: DeltaCursorTable;
  handoff_events: HandoffEventTable;
  obligations: ObligationTable;
  outbox: OutboxTable;
  followups: FollowupTable;
  handoff_findings: HandoffFindingTable;
  lead_ratings: LeadRatingTable;
  weekly_syncs: WeeklySyncTable;
  away_spans: AwaySpanTable;
  away_checks: AwayCheckTable;
  action_tokens: ActionTokenTable;
  report_facts: ReportFactTable;
  report_rollup: ReportRollupTable;
}

export type TeamRow = Selectable<TeamTable>;
export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
export type LeadRow = Selectable<LeadTable>;
export type NewLeadRow = Insertable<LeadTable>;
export type LeadUpdateRow = Updateable<LeadTable>;
export type HandoffRow = Selectable<HandoffTable>;
export type AuditRow = Selectable<AuditTable>;
