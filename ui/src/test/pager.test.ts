import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import type { PatientPage, PatientQuery } from "../lib/backend";
import { MAX_IN_FLIGHT, PAGE_SIZE, PatientPager } from "../lib/patients/pager.svelte";
import { deferred, type Deferred } from "./helpers";

function controllable() {
  const requests: { query: PatientQuery; answer: Deferred<PatientPage> }[] = [];
  const fetch = (query: PatientQuery) => {
    const answer = deferred<PatientPage>();
    requests.push({ query, answer });
    return answer.promise;
  };
  const page = (query: PatientQuery, filtered: number): PatientPage => ({
    patients: Array.from({ length: Math.min(query.limit, filtered - query.skip) }, (_, i) => ({
      id: `${query.search}-${query.skip + i}`,
      givenName: "G",
      familyName: `${query.search}${query.skip + i}`,
      dateOfBirth: "1950-01-01",
      nhsNumber: "9990000000",
      email: null,
      phoneNumber: null,
      phoneDisplay: null,
      invitation: "notInvited",
      inviteBlockedReason: null,
    })),
    filtered,
    total: 10_000,
    source: "server",
    cachedAt: null,
  });
  return { requests, fetch, page };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("PatientPager", () => {
  it("drops answers of an older search", async () => {
    const { requests, fetch, page } = controllable();
    const pager = new PatientPager(fetch);
    pager.reset("l", "old");
    pager.reset("l", "new");
    expect(requests.map((r) => r.query.search)).toEqual(["old", "new"]);
    requests[1]!.answer.resolve(page(requests[1]!.query, 5));
    await tick();
    requests[0]!.answer.resolve(page(requests[0]!.query, 9_000));
    await tick();
    flushSync();
    expect(pager.filtered).toBe(5);
    expect(pager.row(0)?.familyName).toBe("new0");
  });

  it("fetches only the pages on screen, a few at a time, never twice", async () => {
    const { requests, fetch, page } = controllable();
    const pager = new PatientPager(fetch);
    pager.reset("l", "");
    requests[0]!.answer.resolve(page(requests[0]!.query, 10_000));
    await tick();
    pager.show(150, 1_049); // pages 1..10
    pager.show(150, 1_049);
    expect(requests.length).toBe(1 + MAX_IN_FLIGHT);
    expect(requests.slice(1).map((r) => r.query.skip)).toEqual([100, 200, 300]);
    // Scrolled on: pages 1..3 no longer wanted; the next free slot goes to what is on screen now.
    pager.show(5_000, 5_020);
    requests[1]!.answer.resolve(page(requests[1]!.query, 10_000));
    await tick();
    expect(requests.at(-1)!.query.skip).toBe(5_000);
    const skips = requests.map((r) => r.query.skip);
    expect(new Set(skips).size).toBe(skips.length);
    expect(requests.every((r) => r.query.limit === PAGE_SIZE)).toBe(true);
  });

  it("keeps the error until retry", async () => {
    const { requests, fetch, page } = controllable();
    const pager = new PatientPager((q) =>
      requests.length === 0 ? (requests.push({ query: q, answer: deferred() }), Promise.reject("nope")) : fetch(q),
    );
    pager.reset("l", "");
    await tick();
    expect(pager.error).toMatchObject({ code: "Internal" });
    pager.retry();
    expect(requests).toHaveLength(2);
    requests[1]!.answer.resolve(page(requests[1]!.query, 3));
    await tick();
    expect(pager.error).toBeNull();
    expect(pager.filtered).toBe(3);
  });
});
