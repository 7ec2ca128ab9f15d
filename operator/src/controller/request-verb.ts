// The Kubernetes verb of one HTTP request to the apiserver, read from its method, path and query, so the
// operator can count its own requests the way the apiserver's audit log would name them.
export type RequestVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** Path segments after /api/v1 or /apis/GROUP/VERSION, without a leading namespaces/NAME. */
function resourceSegments(path: string): string[] {
  const segments = path.split("/").filter(Boolean);
  const rest = segments[0] === "api" ? segments.slice(2) : segments.slice(3);
  return rest[0] === "namespaces" && rest.length >= 3 ? rest.slice(2) : rest;
}

export function requestVerb(method: string, url: string): RequestVerb {
  const parsed = new URL(url, "http://apiserver");
  const named = resourceSegments(parsed.pathname).length >= 2;
  switch (method.toUpperCase()) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      if (parsed.searchParams.get("watch") === "true" || parsed.searchParams.get("watch") === "1") return "watch";
      return named ? "get" : "list";
  }
}
