import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskPid } from "../../chaos/pod-consumers.ts";

interface Case {
  name: string;
  /** `ctr task ls` output. */
  taskList: string;
  containerId: string;
  expect: number | undefined;
}

const listing = [
  "TASK                                                                PID      STATUS    ",
  "5f1c0d2e9a7b4c3d8e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d    4100     RUNNING",
  "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b    4312     RUNNING",
  "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d    0        STOPPED",
  "",
].join("\n");

const cases: Case[] = [
  {
    name: "the running task of the container gives its pid",
    taskList: listing,
    containerId: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
    expect: 4312,
  },
  {
    name: "a stopped task has no process to kill",
    taskList: listing,
    containerId: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d",
    expect: undefined,
  },
  {
    name: "an ID that only starts like a task's is not that task",
    taskList: listing,
    containerId: "9a8b7c6d",
    expect: undefined,
  },
  {
    name: "no task for the container",
    taskList: "TASK    PID    STATUS\n",
    containerId: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
    expect: undefined,
  },
];

describe("taskPid", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(taskPid(c.taskList, c.containerId), c.expect);
    });
  }
});
