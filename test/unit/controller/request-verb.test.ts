import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RequestVerb, requestVerb } from "../../../operator/src/controller/request-verb.ts";

describe("requestVerb", () => {
  const base = "https://127.0.0.1:6443";
  const cases: { name: string; method: string; url: string; verb: RequestVerb }[] = [
    {
      name: "GET of a named core object",
      method: "GET",
      url: `${base}/api/v1/namespaces/shop/secrets/creds`,
      verb: "get",
    },
    { name: "GET of a core collection", method: "GET", url: `${base}/api/v1/namespaces/shop/configmaps`, verb: "list" },
    {
      name: "GET of a named custom object",
      method: "GET",
      url: `${base}/apis/lagpilot.dev/v1alpha1/namespaces/shop/kafkaconsumergroups/orders`,
      verb: "get",
    },
    {
      name: "GET of a cluster-wide collection",
      method: "GET",
      url: `${base}/apis/apps/v1/deployments?labelSelector=a%3Db`,
      verb: "list",
    },
    { name: "a namespace itself", method: "GET", url: `${base}/api/v1/namespaces/shop`, verb: "get" },
    {
      name: "a watch",
      method: "GET",
      url: `${base}/apis/apps/v1/namespaces/shop/deployments?watch=true&resourceVersion=5`,
      verb: "watch",
    },
    { name: "POST", method: "POST", url: `${base}/api/v1/namespaces/shop/events`, verb: "create" },
    {
      name: "PUT",
      method: "PUT",
      url: `${base}/apis/coordination.k8s.io/v1/namespaces/shop/leases/leader`,
      verb: "update",
    },
    {
      name: "PATCH of a status subresource",
      method: "PATCH",
      url: `${base}/apis/lagpilot.dev/v1alpha1/namespaces/shop/kafkaconsumergroups/orders/status`,
      verb: "patch",
    },
    {
      name: "DELETE of one object",
      method: "DELETE",
      url: `${base}/apis/policy/v1/namespaces/shop/poddisruptionbudgets/orders`,
      verb: "delete",
    },
    {
      name: "DELETE of a collection",
      method: "delete",
      url: `${base}/api/v1/namespaces/shop/pods`,
      verb: "deletecollection",
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(requestVerb(c.method, c.url), c.verb));
});
