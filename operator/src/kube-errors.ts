// Reading errors from the Kubernetes client, in one place for every module that talks to the apiserver.

interface ClientError {
  code?: number;
  body?: unknown;
  message?: string;
}

/** The apiserver answered 404: the object does not exist (or no longer does). */
export function isNotFound(error: unknown): boolean {
  return (error as ClientError | null)?.code === 404;
}

/** The Status object the apiserver sent with an error, when there is one. */
function statusBody(error: ClientError): { message?: unknown; reason?: unknown } | undefined {
  const { body } = error;
  if (body && typeof body === "object") return body as { message?: unknown };
  const text = typeof body === "string" ? body : /\nBody: (.*?)(?:\nHeaders: |$)/s.exec(error.message ?? "")?.[1];
  if (text === undefined) return undefined;
  try {
    // client-node puts the raw body text, itself JSON, inside its message as a JSON string.
    const parsed: unknown = JSON.parse(text);
    const value = typeof parsed === "string" ? JSON.parse(parsed) : parsed;
    return value && typeof value === "object" ? (value as { message?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** The apiserver's own message, whole (it names the object, the field and the rule); else the error's text. */
export function apiErrorMessage(error: unknown): string {
  if (error === null || typeof error !== "object") return String(error);
  const status = statusBody(error as ClientError);
  if (typeof status?.message === "string" && status.message.length > 0) return status.message;
  return String((error as ClientError).message ?? error);
}

const reasonsByCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  410: "Gone",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Every cause errorReason gives, but the rare Http<code> of a status code not named above. */
export const errorReasons: readonly string[] = [...Object.values(reasonsByCode), "Kafka", "Internal"];

/** A short CamelCase cause for metrics: the apiserver's reason for HTTP errors, else Kafka or Internal. */
export function errorReason(error: unknown): string {
  const code = (error as ClientError | null)?.code;
  if (typeof code === "number" && code >= 400) return reasonsByCode[code] ?? `Http${code}`;
  const name = (error as Error | null)?.name ?? "";
  if (name.startsWith("Kafka")) return "Kafka";
  return "Internal";
}
