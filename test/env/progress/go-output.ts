// Reads what the Go command prints while it works. `go list -deps` and `go build` print
// "go: downloading MODULE VERSION" for each module they fetch; `go build -v` prints the import path of
// each package it compiles (packages found in the build cache are not printed), and compiler errors as
// "# PACKAGE" followed by "file.go:LINE:COL: message" lines.

export interface GoWork {
  modulesDownloaded: number;
  packagesCompiled: number;
}

export const noGoWork: GoWork = { modulesDownloaded: 0, packagesCompiled: 0 };

const DOWNLOADING = /^go: downloading \S+ \S+$/;
/** An import path alone on its line: no spaces, no colon, no leading '#'. */
const IMPORT_PATH = /^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~+-]+)*$/;

export function countGoOutputLine(work: GoWork, line: string): GoWork {
  const trimmed = line.trim();
  if (DOWNLOADING.test(trimmed)) return { ...work, modulesDownloaded: work.modulesDownloaded + 1 };
  if (IMPORT_PATH.test(trimmed)) return { ...work, packagesCompiled: work.packagesCompiled + 1 };
  return work;
}

/**
 * `go list -deps -f '{{.Stale}}'` prints one true/false per package: true when `go build` will compile it,
 * false when the build cache already holds it. The true ones are the build's total.
 */
export function countStalePackages(listOutput: string): number {
  return listOutput.split("\n").filter((line) => line.trim() === "true").length;
}
