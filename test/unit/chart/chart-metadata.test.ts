// Chart.yaml, values.yaml and the operator agree: one release version, the image references of
// operator/src/images.ts, env variables the operator reads, and the Lease name it elects with.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { operatorConfigSchema } from "../../../operator/src/config.ts";
import { IMAGE_TAG, OPERATOR_IMAGE, RUNTIME_IMAGE } from "../../../operator/src/images.ts";
import { chartDir, repoRoot } from "./paths.ts";

interface ChartYaml {
  apiVersion: string;
  name: string;
  version: string;
  appVersion: string;
  kubeVersion?: string;
  annotations?: Record<string, string>;
}
interface ImageValues {
  repository: string;
  tag: string;
  digest: string;
}

const chart = yaml.load(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as ChartYaml;
const values = yaml.load(readFileSync(join(chartDir, "values.yaml"), "utf8")) as {
  image: ImageValues;
  runtimeImage: ImageValues;
  replicaCount: number;
  leaderElection: { enabled: boolean };
};

function splitImage(reference: string): { repository: string; tag: string } {
  const colon = reference.lastIndexOf(":");
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

describe("Chart.yaml", () => {
  it("is a v2 chart with a kubeVersion range", () => {
    assert.equal(chart.apiVersion, "v2");
    assert.equal(chart.name, "lagpilot");
    assert.match(chart.kubeVersion ?? "", /^>=1\.\d+\.\d+-0$/);
  });

  it("moves version and appVersion together with the image tag", () => {
    assert.equal(chart.appVersion, IMAGE_TAG);
    assert.equal(chart.version, IMAGE_TAG);
  });

  it("lists the images of operator/src/images.ts", () => {
    const listed = yaml.load(chart.annotations?.["artifacthub.io/images"] ?? "") as { image: string }[];
    assert.deepEqual(listed.map((entry) => entry.image).sort(), [OPERATOR_IMAGE, RUNTIME_IMAGE].sort());
  });
});

describe("values.yaml", () => {
  const cases = [
    { name: "operator image", values: values.image, expected: splitImage(OPERATOR_IMAGE) },
    { name: "consumer-runtime image", values: values.runtimeImage, expected: splitImage(RUNTIME_IMAGE) },
  ];
  for (const c of cases) {
    it(`${c.name} is the one in operator/src/images.ts`, () => {
      assert.deepEqual({ repository: c.values.repository, tag: c.values.tag }, c.expected);
      assert.equal(c.values.digest, "", "a digest would override the tag");
    });
  }

  it("runs two replicas with leader election by default", () => {
    assert.equal(values.replicaCount, 2);
    assert.equal(values.leaderElection.enabled, true);
  });
});

describe("operator settings", () => {
  it("the Deployment sets only environment variables the operator reads", () => {
    const template = readFileSync(join(chartDir, "templates", "deployment.yaml"), "utf8");
    const set = [...template.matchAll(/- name: ([A-Z_]+)\n/g)].map((match) => match[1] ?? "");
    const read = Object.keys(operatorConfigSchema.shape);
    assert.deepEqual(
      set.filter((name) => !read.includes(name)),
      [],
    );
    for (const name of ["WATCH_NAMESPACES", "LEADER_ELECTION", "POD_NAMESPACE", "POD_NAME", "RUNTIME_IMAGE"]) {
      assert.ok(set.includes(name), `${name} is not set`);
    }
  });

  it("the operator elects with the Lease the leader-election Role names", () => {
    const deployment = readFileSync(join(chartDir, "templates", "deployment.yaml"), "utf8");
    const rbac = readFileSync(join(chartDir, "templates", "rbac.yaml"), "utf8");
    assert.match(deployment, /name: LEASE_NAME\n\s+value: \{\{ include "lagpilot\.leaseName" \. \| quote \}\}/);
    assert.match(rbac, /resourceNames: \[\{\{ include "lagpilot\.leaseName" \. \| quote \}\}\]/);
    const main = readFileSync(join(repoRoot, "operator", "src", "main.ts"), "utf8");
    assert.ok(main.includes("name: config.LEASE_NAME"), "operator/src/main.ts does not elect with LEASE_NAME");
  });
});
