import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { ObjectCache } from "../../../operator/src/controller/object-cache.ts";

const object = (namespace: string, name: string, resourceVersion: string, extra: k8s.V1ObjectMeta = {}) => ({
  metadata: { namespace, name, resourceVersion, ...extra },
});

describe("ObjectCache", () => {
  it("returns what was put, by kind, namespace and name", () => {
    const cache = new ObjectCache();
    cache.put("Deployment", object("a", "x", "1"));
    assert.equal(cache.get("Deployment", "a", "x")?.metadata?.resourceVersion, "1");
    assert.equal(cache.get("ConfigMap", "a", "x"), undefined);
    assert.equal(cache.get("Deployment", "b", "x"), undefined);
  });

  it("keeps the newer copy when an older one arrives later (a write-through, then a late watch event)", () => {
    const cache = new ObjectCache();
    cache.put("Deployment", object("a", "x", "10"));
    cache.put("Deployment", object("a", "x", "9"));
    assert.equal(cache.get("Deployment", "a", "x")?.metadata?.resourceVersion, "10");
    cache.put("Deployment", object("a", "x", "11"));
    assert.equal(cache.get("Deployment", "a", "x")?.metadata?.resourceVersion, "11");
  });

  it("says whether a put taught it something: not for an older copy, nor for the copy it holds (an echo)", () => {
    const cache = new ObjectCache();
    assert.equal(cache.put("Deployment", object("a", "x", "10")), true, "new object");
    assert.equal(cache.put("Deployment", object("a", "x", "10")), false, "same resourceVersion");
    assert.equal(cache.put("Deployment", object("a", "x", "9")), false, "older");
    assert.equal(cache.put("Deployment", object("a", "x", "11")), true, "newer");
    assert.equal(cache.put("Deployment", object("a", "y", "1")), true, "another name");
  });

  it("drops managedFields, which nothing reads", () => {
    const cache = new ObjectCache();
    cache.put("Service", object("a", "x", "1", { managedFields: [{ manager: "kubectl" }] }));
    assert.equal(cache.get("Service", "a", "x")?.metadata?.managedFields, undefined);
  });

  it("a list replaces the kind in its namespace and reports what is gone", () => {
    const cache = new ObjectCache();
    cache.put("ConfigMap", object("a", "x", "1"));
    cache.put("ConfigMap", object("a", "y", "1"));
    cache.put("ConfigMap", object("b", "z", "1"));
    cache.put("Service", object("a", "x", "1"));
    const gone = cache.replace("ConfigMap", "a", [object("a", "y", "2"), object("a", "w", "2")]);
    assert.deepEqual(gone, ["a/x"]);
    assert.equal(cache.get("ConfigMap", "a", "y")?.metadata?.resourceVersion, "2");
    assert.ok(cache.get("ConfigMap", "a", "w"));
    assert.ok(cache.get("ConfigMap", "b", "z"), "another namespace is untouched");
    assert.ok(cache.get("Service", "a", "x"), "another kind is untouched");
    assert.equal(cache.get("ConfigMap", "a", "x"), undefined, "the unlisted object is gone");
  });

  it("a cluster-wide list replaces the kind everywhere", () => {
    const cache = new ObjectCache();
    cache.put("ConfigMap", object("a", "x", "1"));
    cache.put("ConfigMap", object("b", "z", "1"));
    assert.deepEqual(cache.replace("ConfigMap", undefined, [object("b", "z", "1")]), ["a/x"]);
  });

  it("remove forgets an object", () => {
    const cache = new ObjectCache();
    cache.put("Deployment", object("a", "x", "1"));
    cache.remove("Deployment", "a", "x");
    assert.equal(cache.get("Deployment", "a", "x"), undefined);
  });
});
