// How a person's invitation state reads on the patient list (users and the invited group alike).
import type { InvitationState, InvitedPatient } from "../backend";

/** A patient's invitation state as the badge words it. */
export const INVITATION_TEXT: Record<InvitationState, string> = {
  notInvited: "Not invited",
  pending: "Invited, pending",
  expired: "Invitation expired",
  signedUp: "Signed up",
};

/** "Family, Given", one of them, or "" when the invite carried no name (email invites). */
export function inviteeName(invitee: InvitedPatient): string {
  const given = invitee.givenName.trim();
  const family = invitee.familyName.trim();
  if (given && family) return `${family}, ${given}`;
  return family || given;
}
