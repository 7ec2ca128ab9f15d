// A throwaway single-node Kafka (KRaft, broker and controller in one process) for tests that must kill or
// restart the broker: the shared stack's broker serves every other test, so faults go to a broker of one's
// own. It runs from the jars the stack's provisioning cached, on free loopback ports, with a data directory of
// its own that a restart keeps and stop() removes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cacheRoot, envSourceDir, inputKey } from "../env/layout.ts";
import { freePort, kafkaAnswers, kafkaClusterId } from "../env/stack.ts";

/** The jars of the stack's broker, as provisioning cached them (test/env/provision.ts, step "kafka"). */
export function cachedKafkaLibs(): string {
  const libs = join(cacheRoot, `kafka-${inputKey([join(envSourceDir, "kafka", "pom.xml")])}`, "libs");
  if (!existsSync(libs)) throw new Error(`no Kafka jars in ${libs}: run \`npm run env:provision\` first`);
  return libs;
}

export interface OwnKafkaOptions {
  /** KIP-848 heartbeat interval the broker hands out (ms); tests want it short. */
  consumerHeartbeatMs?: number;
  /** KIP-848 session timeout (ms). */
  consumerSessionMs?: number;
}

export class OwnKafka {
  readonly bootstrap: string;
  readonly dir: string;
  readonly #libs: string;
  readonly #properties: string;
  #child: ChildProcess | undefined;

  private constructor(dir: string, libs: string, plainPort: number, properties: string) {
    this.dir = dir;
    this.#libs = libs;
    this.#properties = properties;
    this.bootstrap = `127.0.0.1:${plainPort}`;
  }

  /** Formats storage and starts the broker; resolves once it answers (bounded by `readyTimeoutMs`). */
  static async start(options: OwnKafkaOptions = {}, readyTimeoutMs = 120_000): Promise<OwnKafka> {
    const libs = cachedKafkaLibs();
    const dir = mkdtempSync(join(tmpdir(), "lagpilot-own-kafka-"));
    const plain = await freePort();
    let controller = await freePort();
    // A port just released may be handed out again.
    while (controller === plain) controller = await freePort();
    const data = join(dir, "data");
    mkdirSync(data);
    const properties = join(dir, "server.properties");
    const heartbeat = options.consumerHeartbeatMs ?? 1000;
    const session = options.consumerSessionMs ?? 10_000;
    writeFileSync(
      properties,
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${controller}`,
        `listeners=PLAINTEXT://127.0.0.1:${plain},CONTROLLER://127.0.0.1:${controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${plain}`,
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        `log.dirs=${data}`,
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=2",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        `group.consumer.min.heartbeat.interval.ms=${Math.min(500, heartbeat)}`,
        `group.consumer.heartbeat.interval.ms=${heartbeat}`,
        `group.consumer.min.session.timeout.ms=${Math.min(6000, session)}`,
        `group.consumer.session.timeout.ms=${session}`,
        "",
      ].join("\n"),
    );
    const format = spawnSync(
      "java",
      [
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        `${libs}/*`,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        // A leading "-" would read as an option.
        kafkaClusterId(),
        "-c",
        properties,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    if (format.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`formatting the test broker's storage failed:\n${format.stdout}${format.stderr}`);
    }
    const kafka = new OwnKafka(dir, libs, plain, properties);
    try {
      await kafka.restart(readyTimeoutMs);
    } catch (error) {
      await kafka.stop();
      throw error;
    }
    return kafka;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the broker again on the same ports and data (after kill()); resolves once it answers. */
  async restart(readyTimeoutMs = 120_000): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null)
      throw new Error("the test broker is still running");
    const log = openSync(join(this.dir, "kafka.log"), "a");
    const child = spawn(
      "java",
      [
        "-Xms128m",
        "-Xmx384m",
        "-XX:+UseG1GC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp",
        `${this.#libs}/*`,
        "kafka.Kafka",
        this.#properties,
      ],
      { stdio: ["ignore", log, log] },
    );
    this.#child = child;
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await kafkaAnswers(this.bootstrap))) {
      if (child.exitCode !== null) throw new Error(`the test broker exited:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`the test broker did not answer in ${readyTimeoutMs} ms`);
      await sleep(250);
    }
  }

  /** Sends a signal to the broker; for SIGKILL, resolves once it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    if (signal === "SIGKILL" || signal === "SIGTERM") await Promise.race([exited, sleep(30_000)]);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(join(this.dir, "kafka.log"), "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** Kills the broker and removes its data. */
  async stop(): Promise<void> {
    await this.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
