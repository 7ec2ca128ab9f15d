// Where `npm run images:build` leaves the project's images: OCI archives the node imports when it starts.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { stateDir } from "../layout.ts";

export const imagesDir = join(stateDir, "images");

export function builtArchives(): string[] {
  if (!existsSync(imagesDir)) return [];
  return readdirSync(imagesDir)
    .filter((f) => f.endsWith(".tar"))
    .map((f) => join(imagesDir, f));
}
