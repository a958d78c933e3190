// Server-side paging for the virtualised patient table. The table tells the pager which rows are on
// screen; the pager fetches the pages of PAGE_SIZE rows that cover them (a few at a time, nearest
// first), keeps every page it fetched, never asks for a page that is already on its way, and drops
// any answer that belongs to an older list/search (a slow earlier response never overwrites a newer one).
import { SvelteMap } from "svelte/reactivity";
import {
  toIpcError,
  type DataSource,
  type IpcError,
  type Patient,
  type PatientPage,
  type PatientQuery,
} from "../backend";

export const PAGE_SIZE = 100;
/** Requests in flight at once; pages scrolled past meanwhile are never fetched. */
export const MAX_IN_FLIGHT = 3;

export type SearchFn = (query: PatientQuery) => Promise<PatientPage>;

export class PatientPager {
  /** Rows matching the search, or null before the first answer. */
  filtered = $state<number | null>(null);
  total = $state<number | null>(null);
  source = $state<DataSource>("server");
  cachedAt = $state<string | null>(null);
  error = $state<IpcError | null>(null);
  /** Requests of the current search still running. */
  pending = $state(0);
  /** The list and search the current pages belong to. */
  listId = $state("");
  search = $state("");

  readonly #fetch: SearchFn;
  readonly #pages = new SvelteMap<number, Patient[]>();
  // Bookkeeping only (the UI reads `pending`), so deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #inFlight = new Set<number>();
  #generation = 0;
  #wanted: number[] = [0];

  constructor(fetch: SearchFn) {
    this.#fetch = fetch;
  }

  /** Start over for another list or search; everything cached or on its way is forgotten. */
  reset(listId: string, search: string): void {
    this.#generation += 1;
    this.#pages.clear();
    this.#inFlight.clear();
    this.listId = listId;
    this.search = search;
    this.filtered = null;
    this.total = null;
    this.error = null;
    this.pending = 0;
    this.#wanted = [0];
    if (listId !== "") this.#pump();
  }

  /** The rows now on screen (inclusive, 0-based); fetches the pages that cover them. */
  show(firstRow: number, lastRow: number): void {
    if (lastRow < firstRow) return;
    const first = Math.floor(Math.max(0, firstRow) / PAGE_SIZE);
    const last = Math.floor(Math.max(0, lastRow) / PAGE_SIZE);
    const wanted: number[] = [];
    for (let page = first; page <= last; page++) wanted.push(page);
    this.#wanted = wanted;
    this.#pump();
  }

  /** The patient in row `index`, or undefined while its page is loading. */
  row(index: number): Patient | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  hasPage(page: number): boolean {
    return this.#pages.has(page);
  }

  /** After an error: fetch what is on screen again. */
  retry(): void {
    this.error = null;
    this.#pump();
  }

  #pump(): void {
    if (this.error || this.listId === "") return;
    for (const page of this.#wanted) {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) break;
      if (this.#pages.has(page) || this.#inFlight.has(page)) continue;
      if (this.filtered !== null && page * PAGE_SIZE >= this.filtered && page > 0) continue;
      void this.#load(page);
    }
  }

  async #load(page: number): Promise<void> {
    const generation = this.#generation;
    const query: PatientQuery = {
      listId: this.listId,
      search: this.search,
      skip: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    };
    this.#inFlight.add(page);
    this.pending += 1;
    try {
      const result = await this.#fetch(query);
      if (generation !== this.#generation) return; // stale: an older list or search
      this.#pages.set(page, result.patients);
      this.filtered = result.filtered;
      this.total = result.total;
      this.source = result.source;
      this.cachedAt = result.cachedAt;
    } catch (thrown) {
      if (generation !== this.#generation) return;
      this.error = toIpcError(thrown);
    } finally {
      if (generation === this.#generation) {
        this.#inFlight.delete(page);
        this.pending -= 1;
        this.#pump();
      }
    }
  }
}
