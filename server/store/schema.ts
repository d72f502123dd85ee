// Kysely table types: the database as Baton's store code sees it. Column names are snake_case in SQL;
// repositories map rows to domain records. Imports: kysely types only.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

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
}

export interface AuditTable {
  id: Generated<string>;
  entity: 'lead' | 'handoff';
  entity_id: string;
  actor_id: string | null;
  at: Timestamp;
  from_state: string | null;
  to_state: string;
  reason_code: string | null;
  reason_text: string | null;
}

export interface Database {
  teams: TeamTable;
  users: UserTable;
  pairings: PairingTable;
  leads: LeadTable;
  handoffs: HandoffTable;
  audit_log: AuditTable;
}

export type TeamRow = Selectable<TeamTable>;
export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
export type LeadRow = Selectable<LeadTable>;
export type NewLeadRow = Insertable<LeadTable>;
export type LeadUpdateRow = Updateable<LeadTable>;
export type HandoffRow = Selectable<HandoffTable>;
export type AuditRow = Selectable<AuditTable>;
