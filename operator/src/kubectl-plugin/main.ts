// `kubectl lagpilot`: a kubectl plugin for KafkaConsumerGroups. kubectl runs any `kubectl-lagpilot` on PATH
// (operator/bin/kubectl-lagpilot starts this file).
//   kubectl lagpilot top [-n NAMESPACE | -A] [-o table|json|yaml]   groups with lag, rates, replicas, health
//   kubectl lagpilot explain NAME [-n NAMESPACE] [-o ...]           the group now and its last decisions
//   kubectl lagpilot history NAME [-n NAMESPACE] [-o ...]           every decision status keeps
// Connection: KUBECONFIG or ~/.kube/config, --kubeconfig and --context as with kubectl.
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { GROUP, PLURAL, VERSION } from "../api/group.ts";
import { decisionsNewestFirst, explainText, type GroupObject, historyTable, topRow, topTable } from "./group-view.ts";
import { formatTable } from "./table.ts";

const USAGE = `Usage:
  kubectl lagpilot top [-n NAMESPACE | -A] [-o table|json|yaml]
  kubectl lagpilot explain NAME [-n NAMESPACE] [-o table|json|yaml]
  kubectl lagpilot history NAME [-n NAMESPACE] [-o table|json|yaml]
Options: --kubeconfig FILE, --context NAME (as kubectl)`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: "string", short: "n" },
      "all-namespaces": { type: "boolean", short: "A", default: false },
      output: { type: "string", short: "o", default: "table" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, name, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!command) throw new UsageError(USAGE);
  if (!["top", "explain", "history"].includes(command)) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  if (command !== "top" && !name) throw new UsageError(`${command} needs the group's NAME\n${USAGE}`);
  if (rest.length > 0 || (command === "top" && name)) throw new UsageError(`unexpected "${rest[0] ?? name}"\n${USAGE}`);
  if (!["table", "json", "yaml"].includes(values.output ?? "")) {
    throw new UsageError(`-o ${values.output}: use table, json or yaml`);
  }
  return { command, name, ...values, output: values.output as "table" | "json" | "yaml" };
}

function print(output: "json" | "yaml", value: unknown) {
  process.stdout.write(output === "json" ? `${JSON.stringify(value, null, 2)}\n` : yaml.dump(value, { noRefs: true }));
}

async function main(argv: string[]): Promise<void> {
  const args = parse(argv);
  const kubeConfig = new k8s.KubeConfig();
  if (args.kubeconfig) kubeConfig.loadFromFile(args.kubeconfig);
  else kubeConfig.loadFromDefault();
  if (args.context) kubeConfig.setCurrentContext(args.context);
  const namespace =
    args.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? "default";
  const api = kubeConfig.makeApiClient(k8s.CustomObjectsApi);

  if (args.command === "top") {
    const list = (
      args["all-namespaces"]
        ? await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
        : await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace })
    ) as { items: GroupObject[] };
    const rows = list.items.map(topRow);
    if (args.output !== "table") return print(args.output, rows);
    if (rows.length === 0) {
      process.stderr.write(
        args["all-namespaces"]
          ? "No KafkaConsumerGroups found.\n"
          : `No KafkaConsumerGroups found in ${namespace} namespace.\n`,
      );
      return;
    }
    const { headers, cells } = topTable(rows, args["all-namespaces"] ?? false);
    process.stdout.write(`${formatTable(headers, cells)}\n`);
    return;
  }

  const group = (await api.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    name: args.name as string,
  })) as GroupObject;
  if (args.command === "explain") {
    if (args.output !== "table") {
      return print(args.output, {
        ...topRow(group),
        learned: group.status?.autoscaling?.learned ?? null,
        decisions: decisionsNewestFirst(group),
      });
    }
    process.stdout.write(`${explainText(group)}\n`);
    return;
  }
  if (args.output !== "table") return print(args.output, decisionsNewestFirst(group));
  const { headers, cells } = historyTable(group);
  if (cells.length === 0) {
    process.stderr.write(`No decisions recorded in status.autoscaling of ${namespace}/${group.metadata.name}.\n`);
    return;
  }
  process.stdout.write(`${formatTable(headers, cells)}\n`);
}

/** kubectl's way with errors: one line on stderr, exit code 1. */
function errorLine(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  const apiError = error as { code?: number; body?: unknown };
  if (apiError.code === 404) return `Error from server (NotFound): ${notFoundText(apiError.body)}`;
  if (apiError.code) return `Error from server (${apiError.code}): ${notFoundText(apiError.body)}`;
  return `error: ${(error as Error).message}`;
}

function notFoundText(body: unknown): string {
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string };
    return parsed.message ?? String(body);
  } catch {
    return String(body);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exit(1);
});
