{{/* Object names are cut to 63 characters: the limit of a label value and of most names. */}}
{{- define "lagpilot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lagpilot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lagpilot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lagpilot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "lagpilot.labels" -}}
{{ include "lagpilot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: lagpilot
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "lagpilot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "lagpilot.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false: name an existing ServiceAccount" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository@digest when a digest is pinned, else repository:tag. */}}
{{- define "lagpilot.imageRef" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* The Lease the operator elects its leader with, one per release; passed to it as LEASE_NAME. */}}
{{- define "lagpilot.leaseName" -}}
{{- printf "%s-leader" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The rules the operator needs in every namespace it manages. Kept in one place so the ClusterRole and the
namespaced Roles grant exactly the same.
*/}}
{{- define "lagpilot.managedRules" -}}
- apiGroups: ["lagpilot.dev"]
  resources: ["kafkaconsumergroups", "kafkaconsumergroups/status", "kafkaconsumergroups/scale"]
  verbs: ["get", "list", "watch", "update", "patch"]
# The operator sets blockOwnerDeletion on the objects it owns; clusters that enforce owner-reference
# permissions require update on the owner's finalizers for that.
- apiGroups: ["lagpilot.dev"]
  resources: ["kafkaconsumergroups/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Kafka credentials named by a KafkaConsumerGroup are read one at a time; never listed or watched.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{- define "lagpilot.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without a leader every replica would reconcile the same groups" -}}
{{- end -}}
{{- end -}}
