// What kafkajs cannot ask a broker: whether it speaks the consumer group protocol of KIP-848 (ApiVersions lists
// ConsumerGroupHeartbeat, key 68), how a group on that protocol looks (ConsumerGroupDescribe, key 69: the
// classic DescribeGroups that kafkajs sends reports such a group as Dead with no members), and an offset commit
// from outside the group (kafkajs's setOffsets joins the group as a classic member to commit). Raw requests
// through @platformatic/kafka's connection, which speaks all three.
import {
  apiVersionsV3,
  Connection,
  type ConnectionOptions,
  consumerGroupDescribeV0,
  findCoordinatorV4,
  offsetCommitV8,
  ResponseError,
  type SASLOptions,
} from "@platformatic/kafka";
import type { CommittedOffset, GroupDescription } from "./admin.ts";
import { refusedForMembers } from "./commit-refusal.ts";
import type { KafkaConnection } from "./connection.ts";

export const consumerGroupHeartbeatKey = 68;
const groupIdNotFound = 69;
const groupKeyType = 0;

export interface ConsumerProtocolClient {
  /** True when the broker answers ConsumerGroupHeartbeat; asked once per connection. */
  supportsConsumerProtocol(): Promise<boolean>;
  /** The group when it runs the consumer protocol; undefined when it is classic or unknown to the broker. */
  describeConsumerGroup(groupId: string): Promise<GroupDescription | undefined>;
  /**
   * Commits `offsets` for the group from outside it (generation -1, no member id), which Kafka accepts only while
   * the group has no members: false when it refused for that reason.
   */
  commitWhileEmpty(groupId: string, offsets: CommittedOffset[]): Promise<boolean>;
  close(): Promise<void>;
}

export function consumerProtocolClient(settings: KafkaConnection): ConsumerProtocolClient {
  const options: ConnectionOptions = {
    connectTimeout: settings.connectionTimeoutMs ?? 3000,
    requestTimeout: settings.requestTimeoutMs ?? 10_000,
    tls: settings.tls
      ? {
          ca: settings.tls.ca,
          cert: settings.tls.cert,
          key: settings.tls.key,
          rejectUnauthorized: !settings.tls.insecureSkipVerify,
        }
      : undefined,
    sasl: settings.sasl
      ? ({
          mechanism: settings.sasl.mechanism.toUpperCase(),
          username: settings.sasl.username,
          password: settings.sasl.password,
        } as SASLOptions)
      : undefined,
  };
  const clientId = settings.clientId ?? "lagpilot";
  const connections = new Map<string, Promise<Connection>>();
  /** The socket error that ended a connection (a refused TLS handshake, a reset): the request sees only "closed". */
  const socketErrors = new Map<string, Error>();
  let supported: Promise<boolean> | undefined;

  const connectionTo = (host: string, port: number): Promise<Connection> => {
    const key = `${host}:${port}`;
    let connection = connections.get(key);
    if (!connection) {
      connection = (async () => {
        const c = new Connection(clientId, options);
        // Without a listener a socket error (a broker refusing the client's certificate after the handshake, a
        // broker restarting under an idle connection) is an unhandled 'error' event: it would end the operator.
        c.on("error", (error: Error) => {
          socketErrors.set(key, (error.cause as Error | undefined) ?? error);
          if (connections.get(key) === connection) connections.delete(key);
        });
        socketErrors.delete(key);
        await c.connect(host, port);
        return c;
      })();
      connection.catch(() => connections.delete(key));
      connections.set(key, connection);
    }
    return connection;
  };
  /** Runs a request; a connection that failed other than by a broker's answer is dropped for the next call. */
  const send = async <T>(host: string, port: number, request: (c: Connection) => Promise<T>): Promise<T> => {
    const connection = await connectionTo(host, port);
    try {
      return await request(connection);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      const key = `${host}:${port}`;
      connections.delete(key);
      void connection.close().catch(() => {});
      const socketError = socketErrors.get(key);
      if (!socketError) throw error;
      throw new Error(`connection to ${key} failed: ${socketError.message}`, { cause: socketError });
    }
  };
  const toBootstrap = async <T>(request: (c: Connection) => Promise<T>): Promise<T> => {
    let lastError: unknown;
    for (const server of settings.bootstrapServers) {
      const [host, port] = splitHostPort(server);
      try {
        return await send(host, port, request);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        lastError = error;
      }
    }
    throw lastError;
  };

  return {
    supportsConsumerProtocol() {
      supported ??= (async () => {
        const response = await toBootstrap((c) => apiVersionsV3.api.async(c, "lagpilot", "0.1.0"));
        return response.apiKeys.some((api) => api.apiKey === consumerGroupHeartbeatKey);
      })();
      supported.catch(() => {
        supported = undefined;
      });
      return supported;
    },

    async describeConsumerGroup(groupId) {
      if (!(await this.supportsConsumerProtocol())) return undefined;
      const found = await toBootstrap((c) => findCoordinatorV4.api.async(c, groupKeyType, [groupId]));
      const coordinator = found.coordinators[0];
      if (!coordinator) throw new Error(`no coordinator found for group ${groupId}`);
      let group: consumerGroupDescribeV0.ConsumerGroupDescribeResponseGroup | undefined;
      try {
        group = await send(
          coordinator.host,
          coordinator.port,
          async (c) => (await consumerGroupDescribeV0.api.async(c, [groupId], false)).groups[0],
        );
      } catch (error) {
        const groups = (error as ResponseError).response?.groups as (typeof group)[] | undefined;
        if (error instanceof ResponseError && groups?.[0]?.errorCode === groupIdNotFound) return undefined;
        throw error;
      }
      if (!group) return undefined;
      return toGroupDescription(group);
    },

    async commitWhileEmpty(groupId, offsets) {
      if (offsets.length === 0) return true;
      const found = await toBootstrap((c) => findCoordinatorV4.api.async(c, groupKeyType, [groupId]));
      const coordinator = found.coordinators[0];
      if (!coordinator) throw new Error(`no coordinator found for group ${groupId}`);
      const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
        name,
        partitions: offsets
          .filter((o) => o.topic === name)
          .map((o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1 })),
      }));
      try {
        await send(coordinator.host, coordinator.port, (c) =>
          offsetCommitV8.api.async(c, groupId, -1, "", null, topics),
        );
        return true;
      } catch (error) {
        const answered = (error as ResponseError).response?.topics as
          | offsetCommitV8.OffsetCommitResponseTopic[]
          | undefined;
        const codes = answered?.flatMap((t) => t.partitions.map((p) => p.errorCode)) ?? [];
        if (error instanceof ResponseError && refusedForMembers(codes)) return false;
        throw error;
      }
    },

    async close() {
      const open = [...connections.values()];
      connections.clear();
      await Promise.allSettled(open.map(async (c) => (await c).close()));
    },
  };
}

/** ConsumerGroupDescribe's states in the classic vocabulary the lag poll speaks. */
const stateNames: Record<string, string> = {
  empty: "Empty",
  assigning: "PreparingRebalance",
  reconciling: "CompletingRebalance",
  stable: "Stable",
  dead: "Dead",
};

export function toGroupDescription(
  group: consumerGroupDescribeV0.ConsumerGroupDescribeResponseGroup,
): GroupDescription {
  return {
    state: stateNames[group.groupState.toLowerCase()] ?? "Unknown",
    members: group.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment.topicPartitions.flatMap((t) =>
        t.partitions.map((partition) => ({ topic: t.topicName, partition })),
      ),
    })),
  };
}

function splitHostPort(server: string): [string, number] {
  const at = server.lastIndexOf(":");
  return [server.slice(0, at), Number(server.slice(at + 1))];
}
