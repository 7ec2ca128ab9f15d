// Field types shared across the schema, each with the bounds the apiserver and Kafka enforce.
import { z } from "zod";

/** Kafka's legal topic names: letters, digits, '.', '_', '-', at most 249 characters. */
export function topicName() {
  return z
    .string()
    .min(1)
    .max(249)
    .regex(/^[a-zA-Z0-9._-]+$/, "a Kafka topic name uses only letters, digits, '.', '_' and '-'");
}

/** A list with no repeated entry; the CRD says so with x-kubernetes-list-type: set. */
export function uniqueList<T extends z.ZodType>(item: T, minItems: number, maxItems: number) {
  return z
    .array(item)
    .min(minItems)
    .max(maxItems)
    .refine((items) => new Set(items).size === items.length, { message: "entries must be unique" })
    .meta({ "x-kubernetes-list-type": "set" });
}

/** The name of an object in the same namespace (a DNS subdomain). */
export function objectName() {
  return z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a lowercase DNS subdomain");
}

/** A key inside a Secret's data. */
export function secretKey() {
  return z
    .string()
    .min(1)
    .max(253)
    .regex(/^[-._a-zA-Z0-9]+$/, "a Secret key uses only letters, digits, '-', '_' and '.'");
}

/** A resource quantity such as 500m, 1Gi or 2: an integer or a string, as Kubernetes writes it. */
export function quantity() {
  return z
    .union([
      z.int().min(0),
      z
        .string()
        .max(64)
        .regex(
          /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/,
          "a quantity such as 500m, 1Gi or 2",
        ),
    ])
    .meta({ "x-kubernetes-int-or-string": true });
}

/** A map of strings with a size limit, as labels and annotations are. */
export function stringMap(maxEntries: number, maxValueLength: number) {
  return z
    .record(z.string().min(1).max(317), z.string().max(maxValueLength))
    .refine((map) => Object.keys(map).length <= maxEntries, { message: `at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries });
}

/** An RFC 3339 time as Kubernetes writes it (status timestamps). */
export function timestamp() {
  return z.iso.datetime({ offset: true });
}
