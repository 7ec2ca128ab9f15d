// The apiserver's reasons, read whole out of the Kubernetes client's errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { apiErrorMessage, errorReason, isNotFound } from "../../../operator/src/kube-errors.ts";

const invalid =
  'Deployment.apps "orders-consumer" is invalid: spec.template.spec.containers[0].image: Invalid value: " lagpilot/runtime:1 ": must not have leading or trailing whitespace';
const statusBody = JSON.stringify({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  message: invalid,
  reason: "Invalid",
  code: 422,
});

describe("apiErrorMessage", () => {
  const cases: { name: string; error: unknown; expected: string }[] = [
    {
      name: "the whole message of a 422, quotes included, from client-node's ApiException (body as text)",
      error: new ApiException(422, "Unknown API Status Code!", statusBody, {}),
      expected: invalid,
    },
    {
      name: "the same with the body already parsed",
      error: new ApiException(422, "Unprocessable", JSON.parse(statusBody), {}),
      expected: invalid,
    },
    {
      name: "read out of the error's text when only the text is left",
      error: new Error(`HTTP-Code: 422\nMessage: x\nBody: ${JSON.stringify(statusBody)}\nHeaders: {}`),
      expected: invalid,
    },
    {
      name: "takes the apiserver's message out of client-node's error text without headers",
      error: new Error(
        'HTTP-Code: 500\nBody: "{\\"kind\\":\\"Status\\",\\"message\\":\\"failed to allocate a serviceIP: range is full\\",\\"code\\":500}"',
      ),
      expected: "failed to allocate a serviceIP: range is full",
    },
    { name: "falls back to the whole text", error: new Error("socket hang up"), expected: "socket hang up" },
    {
      name: "a body that is not JSON: the whole text",
      error: new ApiException(502, "Bad Gateway", "<html>", {}),
      expected: 'HTTP-Code: 502\nMessage: Bad Gateway\nBody: "<html>"\nHeaders: {}',
    },
    { name: "not an Error at all", error: "boom", expected: "boom" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(apiErrorMessage(c.error), c.expected));
});

describe("errorReason", () => {
  const cases: { name: string; error: unknown; expected: string }[] = [
    { name: "409", error: new ApiException(409, "Conflict", "{}", {}), expected: "Conflict" },
    { name: "422", error: new ApiException(422, "Invalid", "{}", {}), expected: "Invalid" },
    { name: "an unnamed code", error: new ApiException(418, "teapot", "{}", {}), expected: "Http418" },
    {
      name: "a Kafka error",
      error: Object.assign(new Error("x"), { name: "KafkaJSConnectionError" }),
      expected: "Kafka",
    },
    { name: "anything else", error: new TypeError("x"), expected: "Internal" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(errorReason(c.error), c.expected));
});

describe("isNotFound", () => {
  it("is true for a 404 only", () => {
    assert.equal(isNotFound(new ApiException(404, "Not Found", "{}", {})), true);
    assert.equal(isNotFound(new ApiException(409, "Conflict", "{}", {})), false);
    assert.equal(isNotFound(null), false);
  });
});
