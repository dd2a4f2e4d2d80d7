import { describe, expect, it } from "vitest";
import {
  checkDatabaseUrl,
  isPostgresUrl,
  redactDatabaseUrl,
} from "../../src/store/postgres/database-url.js";

describe("a --db value", () => {
  it.each([
    ["postgres://ndwk@db/x", true],
    ["postgresql://ndwk@db/x", true],
    ["POSTGRES://ndwk@db/x", true],
    ["./netdata-webhooks.db", false],
    ["postgres.db", false],
    ["postgres:inbox.db", false],
    ["/var/lib/postgres://odd", false],
  ])("%s names PostgreSQL: %s", (value, postgres) => {
    expect(isPostgresUrl(value)).toBe(postgres);
  });

  it("is shown without its password, in the user info or a password parameter", () => {
    expect(redactDatabaseUrl("postgres://ndwk:s3cret@db:5432/x?sslmode=verify-full")).toBe(
      "postgres://ndwk@db:5432/x?sslmode=verify-full",
    );
    expect(redactDatabaseUrl("postgresql://db/x?user=ndwk&password=s3cret")).toBe(
      "postgresql://db/x?user=ndwk",
    );
    expect(redactDatabaseUrl("postgres://ndwk:s3cret@[bad")).not.toContain("s3cret");
  });

  it("needs a host and an sslmode node-postgres knows", () => {
    expect(checkDatabaseUrl("postgres://ndwk@db/x?sslmode=verify-full")).toEqual({ ok: true });
    expect(checkDatabaseUrl("postgres:///x")).toMatchObject({ ok: false, problem: /no host/ });
    expect(checkDatabaseUrl("postgres://db/x?sslmode=strict")).toMatchObject({
      ok: false,
      problem: expect.stringContaining('sslmode="strict"'),
    });
  });
});
