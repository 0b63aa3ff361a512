import assert from "node:assert/strict";
import { isUnavailable } from "../../edge/http/unavailable.ts";

Deno.test("[unavailable] connection failures and timeouts of the stores, not faults", () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  const named = (name: string) => Object.assign(new Error(name), { name });
  for (
    const error of [
      coded("ECONNREFUSED"),
      coded("CONNECT_TIMEOUT"),
      coded("CONNECTION_CLOSED"),
      coded("57P03"),
      coded("08006"),
      named("NoHostAvailableError"),
      named("OperationTimedOutError"),
      new DOMException("late", "TimeoutError"),
      new Deno.errors.ConnectionRefused("refused"),
      new Error("Cannot read the view", { cause: coded("ECONNRESET") }),
    ]
  ) {
    assert.ok(isUnavailable(error), String(error));
  }
  for (const error of [new Error("syntax"), coded("42P01"), coded("23505"), null, "text"]) {
    assert.ok(!isUnavailable(error), String(error));
  }
});
