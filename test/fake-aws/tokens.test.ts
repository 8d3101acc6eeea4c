// The fake's page-token book stays bounded in count and age; a forgotten token is told apart from a forged one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_TOKENS, TokenBook, TOKEN_TTL_MS } from "../../src/fake-metadata/aws/tokens.ts";

test("past MAX_TOKENS the oldest token is forgotten; the book never holds more", () => {
  const book = new TokenBook();
  const first = book.issue("ListTasks", 1);
  for (let i = 0; i < MAX_TOKENS * 3; i++) book.issue("ListTasks", i);
  assert.is(book.size, MAX_TOKENS);
  assert.is(book.offset("ListTasks", first), undefined);
  assert.ok(book.forgotten(first), "an evicted token is expired, not forged");
});

test("a token older than the TTL is forgotten; a younger one is held", () => {
  let now = 1_000_000;
  const book = new TokenBook(MAX_TOKENS, TOKEN_TTL_MS, () => now);
  const old = book.issue("GetResources", 5);
  now += TOKEN_TTL_MS / 2;
  const young = book.issue("GetResources", 6);
  now += TOKEN_TTL_MS / 2 + 1;
  assert.equal([book.offset("GetResources", old), book.offset("GetResources", young)], [undefined, 6]);
  assert.ok(book.forgotten(old));
  assert.is(book.size, 1);
});

test("a forged token, or one of another API, is not 'forgotten' (it is invalid)", () => {
  const book = new TokenBook();
  const other = book.issue("GetResources", 1);
  assert.equal([book.offset("ListTasks", other), book.forgotten(other), book.forgotten("bad_token"), book.forgotten("")], [undefined, false, false, false]);
});

test.run();
