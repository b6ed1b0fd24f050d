{{/* Name of the tracee objects: the release name. */}}
{{- define "tracee.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tracee.sidekick" -}}
{{- printf "%s-falcosidekick" (include "tracee.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object; component is added per object. */}}
{{- define "tracee.labels" -}}
app.kubernetes.io/name: tracee
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: tracee
{{- end -}}

{{/* The webhook URL tracee-rules posts findings to. */}}
{{- define "tracee.webhookURL" -}}
{{- if .Values.webhook.url -}}
{{- .Values.webhook.url -}}
{{- else if .Values.falcosidekick.enabled -}}
{{- printf "http://%s.%s.svc:%d" (include "tracee.sidekick" .) .Release.Namespace (int .Values.falcosidekick.port) -}}
{{- end -}}
{{- end -}}
