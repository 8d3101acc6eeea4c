// Opaque page tokens of the fake API: random strings it remembers, so that a forged token, or one of another API,
// is detectable. The book is bounded in count and age, as the service's are: however many listings clients start
// (a million maxResults: 1 requests), memory stays flat, and a forgotten token gets the service's own error.
import { randomBytes } from "node:crypto";

/** Tokens remembered at most; past it the oldest is forgotten. */
export const MAX_TOKENS = 4096;
/** A tagging PaginationToken is valid for 15 minutes; the fake holds every token that long at most. */
export const TOKEN_TTL_MS = 15 * 60_000;

export interface TokenEntry {
  api: string;
  offset: number;
  /** The listing's order, fixed when its first page was answered, so its pages neither repeat nor skip. */
  order?: string[];
  /** Empty pages already served in this listing (the fake can serve some first, as AWS may). */
  empties: number;
}

export class TokenBook {
  #entries = new Map<string, TokenEntry & { at: number }>();
  readonly max: number;
  readonly ttlMs: number;
  readonly clock: () => number;

  constructor(max = MAX_TOKENS, ttlMs = TOKEN_TTL_MS, clock: () => number = Date.now) {
    this.max = max;
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  issue(api: string, offset: number, order?: string[], empties = 0): string {
    const at = this.clock();
    const token = Buffer.from(`${offset}:${at}:${randomBytes(18).toString("base64")}`).toString("base64");
    this.#prune(at);
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { api, offset, order, empties, at });
    return token;
  }

  /** The listing a token continues, or undefined when this fake never issued it for this API, or forgot it. */
  entry(api: string, token: string): TokenEntry | undefined {
    this.#prune(this.clock());
    const entry = this.#entries.get(token);
    return entry?.api === api ? entry : undefined;
  }

  order(api: string, token: string): string[] | undefined {
    return this.entry(api, token)?.order;
  }

  offset(api: string, token: string): number | undefined {
    return this.entry(api, token)?.offset;
  }

  /** A token of this fake's making that it no longer holds (too old, or pushed out): expired, not forged. */
  forgotten(token: string): boolean {
    const [offset, at] = Buffer.from(token, "base64").toString("latin1").split(":");
    return /^\d+$/.test(offset ?? "") && /^\d+$/.test(at ?? "") && !this.#entries.has(token);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Entries sit in issue order: the expired ones are at the front. */
  #prune(now: number): void {
    for (const [token, entry] of this.#entries) {
      if (now - entry.at <= this.ttlMs) return;
      this.#entries.delete(token);
    }
  }
}
