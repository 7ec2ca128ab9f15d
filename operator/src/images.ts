// The images Lagpilot runs, in one place: the operator's default and the Helm chart's values are checked
// against these by a test, so a release bumps them together.
export const IMAGE_REPOSITORY_PREFIX = "lagpilot";
export const IMAGE_TAG = "0.1.0";
export const OPERATOR_IMAGE = `${IMAGE_REPOSITORY_PREFIX}/operator:${IMAGE_TAG}`;
export const RUNTIME_IMAGE = `${IMAGE_REPOSITORY_PREFIX}/consumer-runtime:${IMAGE_TAG}`;
