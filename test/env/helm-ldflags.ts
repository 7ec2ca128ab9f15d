// The linker flags helm's own release build sets (its Makefile): the version, and the Kubernetes version
// helm assumes when no cluster is asked (`helm template`, `helm lint`). Release helm derives the latter from
// the k8s.io/client-go it requires: client-go v0.X.Y means Kubernetes 1.X. Without these flags a helm
// built from its module reports its branch ("v3.22") and assumes Kubernetes v1.20.

export interface KubernetesVersion {
  major: string;
  minor: string;
}

/** client-go v0.37.0 -> Kubernetes 1.37, as helm's Makefile computes it (major + 1, same minor). */
export function kubernetesVersionOfClientGo(clientGoVersion: string): KubernetesVersion {
  const match = /^v(\d+)\.(\d+)\.\d+/.exec(clientGoVersion.trim());
  if (!match) throw new Error(`'${clientGoVersion}' is not a k8s.io/client-go version (vMAJOR.MINOR.PATCH)`);
  return { major: String(Number(match[1]) + 1), minor: String(Number(match[2])) };
}

export function helmReleaseLdflags(helmVersion: string, kubernetes: KubernetesVersion): string {
  const flags = ["-s", "-w", `-X helm.sh/helm/v3/internal/version.version=${helmVersion}`];
  // Released builds leave the build metadata empty ("unreleased" marks others) and the tree clean.
  flags.push("-X helm.sh/helm/v3/internal/version.metadata=", "-X helm.sh/helm/v3/internal/version.gitTreeState=clean");
  for (const pkg of ["helm.sh/helm/v3/pkg/lint/rules", "helm.sh/helm/v3/pkg/chartutil"]) {
    flags.push(`-X ${pkg}.k8sVersionMajor=${kubernetes.major}`, `-X ${pkg}.k8sVersionMinor=${kubernetes.minor}`);
  }
  return flags.join(" ");
}
