// The pending invites of one patient list, as last fetched, plus a clock for the live countdown.
// Refreshes may overlap (timer, outbox-changed, after an action); only the newest answer is kept.
import { toIpcError, type DataSource, type IpcError, type PendingInvite, type PendingPage } from "../backend";

/** How often the list is fetched again while the view is open. */
export const PENDING_REFRESH_MS = 60_000;
/** How often the time till expiry is recomputed. */
export const COUNTDOWN_TICK_MS = 60_000;

export class PendingStore {
  invites = $state<PendingInvite[]>([]);
  source = $state<DataSource>("server");
  asOf = $state<string | null>(null);
  /** Nothing shown yet for this list. */
  loaded = $state(false);
  loading = $state(false);
  error = $state<IpcError | null>(null);
  /** The list the rows belong to. */
  listId = $state<string | null>(null);

  #seq = 0;

  constructor(private readonly fetch: (listId: string) => Promise<PendingPage>) {}

  /** Fetch the list's invitations; a different list starts empty. */
  async load(listId: string): Promise<void> {
    const seq = ++this.#seq;
    if (this.listId !== listId) {
      this.listId = listId;
      this.invites = [];
      this.loaded = false;
      this.asOf = null;
      this.source = "server";
    }
    this.loading = true;
    try {
      const page = await this.fetch(listId);
      if (seq !== this.#seq) return;
      this.invites = page.invites;
      this.source = page.source;
      this.asOf = page.asOf;
      this.loaded = true;
      this.error = null;
    } catch (thrown) {
      if (seq !== this.#seq) return;
      // Keep showing what we had: a failed refresh should not empty the table. A refresh refused
      // behind the lock screen is no failure to show once unlocked.
      const error = toIpcError(thrown);
      if (error.code !== "Locked") this.error = error;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
