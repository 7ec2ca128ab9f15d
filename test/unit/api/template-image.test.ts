// An image name with spaces around it was accepted and reached the Deployment, where the kubelet cannot pull
// it: the schema refuses it and names the field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import { type Json, mergePatch, validBase } from "./invalid-objects.ts";

const withTemplate = (template: { [key: string]: Json }) => mergePatch(validBase("orders"), { spec: { template } });

describe("spec.template.image", () => {
  const refused: { name: string; template: { [key: string]: Json }; field: string }[] = [
    {
      name: "leading and trailing spaces",
      template: { image: " registry.local/lagpilot/runtime:1 " },
      field: "spec.template.image",
    },
    { name: "a trailing tab", template: { image: "runtime:1\t" }, field: "spec.template.image" },
    { name: "a space inside", template: { image: "runtime :1" }, field: "spec.template.image" },
    {
      name: "an extra container's image with a space",
      template: { containers: [{ name: "sidecar", image: "envoy:1 " }] },
      field: "spec.template.containers[0].image",
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, naming ${c.field}`, () => {
      const verdict = validateKafkaConsumerGroup(withTemplate(c.template));
      assert.equal(verdict.valid, false);
      if (verdict.valid) return;
      assert.deepEqual(
        verdict.issues.map((i) => i.field),
        [c.field],
      );
      assert.match(verdict.message, /no spaces/);
    });
  }

  it("accepts an image with a registry, a port, a tag and a digest", () => {
    const image = `registry.local:5000/lagpilot/runtime:1.2@sha256:${"a".repeat(64)}`;
    assert.equal(validateKafkaConsumerGroup(withTemplate({ image })).valid, true);
  });
});
