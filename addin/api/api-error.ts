// A failed API call as the add-in sees it: ApiError with the server's error body (a stable code, the message, the
// field and the hand-off extras) and the HTTP status. Kept apart from the client so the pane's first chunk can tell
// failures apart without loading the contract's schemas. Imports only the contract's types.
import type { FieldErrorDto, HandoffErrorBody, MissingCriterionDto } from '../../server/http/contract';

/**
 * Codes the client itself produces (status 0 unless noted), beside the server's own (`not_found`,
 * `version_conflict`, `not_qualified`, …): `network` (the server could not be reached), `token` (no bearer token:
 * sign-in failed), `aborted`, `invalid_response` (an answer that breaks the contract, with its HTTP status) and
 * `http_<status>` (a failure answer without the contract's error body).
 */
export type ClientErrorCode = 'network' | 'token' | 'aborted' | 'invalid_response';

/** The common error body plus the hand-off routes' extras (`away`, `backup`, `handoffId`), all optional. */
type ErrorFields = HandoffErrorBody['error'];

/** A failed API call: the server's error body (code, message, field and the extras), with the HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  /** The HTTP status; 0 when no answer arrived (network, token, aborted). */
  readonly status: number;
  readonly field: string | undefined;
  readonly details: FieldErrorDto[] | undefined;
  /** For `lead_owned_elsewhere`: who owns the lead already. */
  readonly owner: { id: string; name: string } | undefined;
  /** For `duplicate_lead` and `lead_owned_elsewhere`: the existing lead's id. */
  readonly leadId: string | undefined;
  /** For `not_qualified`: the criteria still unmet. */
  readonly missing: MissingCriterionDto[] | undefined;
  /** For `handoff_exists`: the hand-off already in progress for the lead. */
  readonly handoffId: string | undefined;
  /** For `ae_away`: the AE's automatic-replies window. */
  readonly away: ErrorFields['away'];
  /** For `ae_away`: the backup AE offered instead (null: none). */
  readonly backup: ErrorFields['backup'];

  constructor(status: number, body: ErrorFields, options?: { cause?: unknown }) {
    super(body.message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.field = body.field;
    this.details = body.details;
    this.owner = body.owner;
    this.leadId = body.leadId;
    this.missing = body.missing;
    this.handoffId = body.handoffId;
    this.away = body.away;
    this.backup = body.backup;
  }
}
