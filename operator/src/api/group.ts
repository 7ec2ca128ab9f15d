// The KafkaConsumerGroup resource's identity: one place for the names every other module uses.
export const GROUP = "lagpilot.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "KafkaConsumerGroup";
export const LIST_KIND = "KafkaConsumerGroupList";
export const PLURAL = "kafkaconsumergroups";
export const SINGULAR = "kafkaconsumergroup";
export const SHORT_NAMES = ["kcg"];
export const CATEGORIES = ["lagpilot"];
export const CRD_NAME = `${PLURAL}.${GROUP}`;
