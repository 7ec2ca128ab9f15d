// The client adapters by name, loaded on demand so a runtime only carries the library it uses. Adding a
// library means adding one adapter and one entry here.
import type { ClientName } from "../config.ts";
import type { ConsumerClientOptions, KafkaConsumerClient } from "./contract.ts";

type ClientFactory = (options: ConsumerClientOptions) => KafkaConsumerClient;

export const consumerClients: Record<ClientName, () => Promise<ClientFactory>> = {
  kafkajs: async () => {
    const { KafkajsConsumerClient } = await import("./kafkajs.ts");
    return (options) => new KafkajsConsumerClient(options);
  },
  platformatic: async () => {
    const { PlatformaticConsumerClient } = await import("./platformatic.ts");
    return (options) => new PlatformaticConsumerClient(options);
  },
};

export async function createConsumerClient(
  name: ClientName,
  options: ConsumerClientOptions,
): Promise<KafkaConsumerClient> {
  return (await consumerClients[name]())(options);
}
