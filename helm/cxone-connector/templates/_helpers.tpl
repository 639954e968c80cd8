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

{{/*
The config and every secret it refers to, mounted where the config's ${file:} references point:
the connector and the audit verify CronJob load the same config, so they mount the same files.
*/}}
{{- define "cxone-connector.secretVolumeMounts" -}}
- name: config
  mountPath: /etc/cxone-connector
  readOnly: true
- name: cxone-secret
  mountPath: {{ include "cxone-connector.secretDir" . }}
  readOnly: true
{{- if .Values.kafka.existingSecret }}
- name: kafka-secret
  mountPath: /var/run/secrets/kafka
  readOnly: true
{{- end }}
{{- if .Values.audit.existingSecret }}
- name: audit-key
  mountPath: /var/run/secrets/cxone-audit
  readOnly: true
{{- end }}
{{- if .Values.auditSigning.existingSecret }}
- name: audit-signing-key
  mountPath: /var/run/secrets/cxone-audit-signing
  readOnly: true
{{- end }}
{{- if .Values.adminToken.existingSecret }}
- name: admin-token
  mountPath: /var/run/secrets/cxone-admin
  readOnly: true
{{- end }}
{{- end }}

{{- define "cxone-connector.secretVolumes" -}}
- name: config
  configMap:
    name: {{ include "cxone-connector.fullname" . }}
- name: cxone-secret
  secret:
    secretName: {{ .Values.cxone.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.cxone.existingSecretKey }}
        path: client-secret
{{- if .Values.kafka.existingSecret }}
- name: kafka-secret
  secret:
    secretName: {{ .Values.kafka.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if .Values.audit.existingSecret }}
- name: audit-key
  secret:
    secretName: {{ .Values.audit.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.audit.existingSecretKey }}
        path: pii-key
{{- end }}
{{- if .Values.auditSigning.existingSecret }}
- name: audit-signing-key
  secret:
    secretName: {{ .Values.auditSigning.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.auditSigning.existingSecretKey }}
        path: key.pem
{{- end }}
{{- if .Values.adminToken.existingSecret }}
- name: admin-token
  secret:
    secretName: {{ .Values.adminToken.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.adminToken.existingSecretKey }}
        path: token
{{- end }}
{{- end }}
