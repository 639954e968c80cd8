{{/* Chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "cxone-connector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "cxone-connector.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cxone-connector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cxone-connector.labels" -}}
helm.sh/chart: {{ include "cxone-connector.chart" . }}
{{ include "cxone-connector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "cxone-connector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cxone-connector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cxone-connector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cxone-connector.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The ops HTTP port (metrics, probes): the connector's own config decides it. */}}
{{- define "cxone-connector.metricsPort" -}}
{{- $obs := .Values.config.observability | default dict }}
{{- $obs.metricsPort | default 9464 | int }}
{{- end }}

{{- define "cxone-connector.configPath" -}}
/etc/cxone-connector/config.yaml
{{- end }}

{{- define "cxone-connector.secretDir" -}}
/var/run/secrets/cxone
{{- end }}
