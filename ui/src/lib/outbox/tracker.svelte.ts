// The outbox status shared by the header indicator, the banners, the Outbox view and sign-out:
// starts from `outbox_status()` and follows `outbox-changed`.
import type { Backend, OutboxStatus, Unsubscribe } from "../backend";

export const EMPTY_STATUS: OutboxStatus = {
  waiting: 0,
  needsAttention: 0,
  rejected: 0,
  connection: "unknown",
  paused: null,
  lastSyncedAt: null,
  progress: null,
};

export class OutboxTracker {
  status = $state<OutboxStatus>({ ...EMPTY_STATUS });
  /** Bumped by every event, so a slower `outbox_status` answer cannot overwrite a newer event. */
  #version = 0;

  /** Rows the clinician must act on: the engine stopped trying them. */
  get attention(): number {
    return this.status.needsAttention + this.status.rejected;
  }

  /** Not yet on the server: what signing out leaves behind. */
  get unsent(): number {
    return this.status.waiting + this.status.needsAttention;
  }

  connect(backend: Backend): Unsubscribe {
    const unsubscribe = backend.onOutboxChanged((status) => {
      this.#version += 1;
      this.status = { ...EMPTY_STATUS, ...status };
    });
    void this.refresh(backend);
    return unsubscribe;
  }

  /** Ask again (e.g. before sign-out). Failures keep the last known status: only a hint. */
  async refresh(backend: Backend): Promise<OutboxStatus> {
    const version = this.#version;
    try {
      const status = await backend.outboxStatus();
      if (version === this.#version) this.status = { ...EMPTY_STATUS, ...status };
    } catch {
      // Session loss is handled by the session guard; the next event corrects the rest.
    }
    return this.status;
  }
}
