// Reading errors from the Kubernetes client, in one place for every module that talks to the apiserver.

/** The apiserver answered 404: the object does not exist (or no longer does). */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 404;
}

/** The apiserver's own message (client-node puts it inside a JSON body inside the error text). */
export function apiErrorMessage(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const body = /"message\\?":\\?"((?:[^"\\]|\\.)*?)\\?"/.exec(text);
  return (body?.[1] ?? text).replaceAll('\\"', '"').slice(0, 1000);
}
