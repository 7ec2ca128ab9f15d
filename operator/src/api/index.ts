// The KafkaConsumerGroup API as the rest of the operator uses it.
export { findCondition, setCondition, toKubernetesTime } from "./conditions.ts";
export { buildCrd } from "./crd.ts";
export * from "./group.ts";
export { type InvalidSpecReport, planInvalidSpecReport, type ReportedObject } from "./invalid-report.ts";
export { type KafkaConsumerGroup, objectSchema } from "./object.ts";
export { builtinDefaults, type ProfileName, profiles, type Tier, type TunableSettings } from "./profiles.ts";
export { reportInvalidSpec } from "./report-invalid.ts";
export { effectiveGroupId, resolveSettings } from "./resolve.ts";
export { type KafkaConsumerGroupSpec, type KafkaConsumerGroupSpecInput, specSchema } from "./spec.ts";
export { CONSUMER_CONTAINER, RESERVED_PREFIX } from "./spec-template.ts";
export {
  type Condition,
  type ConditionType,
  conditionTypes,
  type KafkaConsumerGroupStatus,
  type ResolvedSettings,
  readyReasons,
  statusSchema,
} from "./status.ts";
export { type FieldIssue, type Validation, validateKafkaConsumerGroup } from "./validate.ts";
