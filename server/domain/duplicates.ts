// "Never pursue the same lead twice": decides whether a new or imported lead collides with a lead someone else
// owns, by email or by company domain (free-mail domains never count). Pure. Imports: ./lead only.

export interface ExistingLeadMatch {
  leadId: string;
  email: string;
  webDomain: string | null;
  ownerId: string;
  ownerName: string;
}

export interface OwnershipConflict {
  matchedBy: 'email' | 'domain';
  leadId: string;
  ownerId: string;
  ownerName: string;
}

export type DuplicateVerdict =
  | { kind: 'new' }
  /** The same email is already a lead of this owner: an import skips it, an API create refuses it. */
  | { kind: 'same_lead'; leadId: string }
  /** Someone else owns this email or company: flagged with the current owner, never created. */
  | { kind: 'owned_elsewhere'; conflict: OwnershipConflict };

/** `candidate.webDomain` must already be null for a free-mail domain (see lead-validation). */
export function judgeDuplicate(
  candidate: { email: string; webDomain: string | null },
  ownerId: string,
  matches: readonly ExistingLeadMatch[],
): DuplicateVerdict {
  const byEmail = matches.find((m) => m.email === candidate.email);
  if (byEmail) {
    return byEmail.ownerId === ownerId
      ? { kind: 'same_lead', leadId: byEmail.leadId }
      : { kind: 'owned_elsewhere', conflict: { matchedBy: 'email', leadId: byEmail.leadId, ownerId: byEmail.ownerId, ownerName: byEmail.ownerName } };
  }
  if (candidate.webDomain !== null) {
    const byDomain = matches.find((m) => m.webDomain === candidate.webDomain && m.ownerId !== ownerId);
    if (byDomain) {
      return { kind: 'owned_elsewhere', conflict: { matchedBy: 'domain', leadId: byDomain.leadId, ownerId: byDomain.ownerId, ownerName: byDomain.ownerName } };
    }
  }
  return { kind: 'new' };
}
