// Logs and the alert: a Log Analytics workspace, workspace-based Application Insights that accepts
// only Entra ID-authenticated telemetry, and a log alert on the app's ImageSyncFailure event.
@description('Region of the monitoring resources.')
param location string

@description('Tags for the monitoring resources.')
param tags object

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights name.')
param applicationInsightsName string

@description('Principal id of the app\'s managed identity (publishes telemetry).')
param appPrincipalId string

@description('Email address for ImageSyncFailure alerts. Empty: no action group.')
param alertEmail string

@minValue(30)
@maxValue(730)
@description('Days the workspace keeps logs.')
param retentionInDays int = 30

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

// The alert's query; docs/deployment.md shows the same query for a person to run.
var failureQuery = '''
traces
| where severityLevel >= 3 and message startswith "ImageSyncFailure"
| extend fields = parse_json(extract(@"^ImageSyncFailure\s+(\{.*\})", 1, message))
| project timestamp, sourceImageResourceId = tostring(fields.sourceImageResourceId), displayName = tostring(fields.displayName), version = tostring(fields.version), errorCode = tostring(fields.errorCode), remediation = tostring(fields.remediation), detail = tostring(fields.detail)
'''

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${applicationInsightsName}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'imagesync'
    enabled: true
    emailReceivers: [
      {
        name: 'image-sync-admins'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource failureAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-imagesync-failure-${applicationInsightsName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'cloudpc-image-sync: ImageSyncFailure'
    description: 'An image failed to sync to Windows 365, or a problem was recorded (poison message, unreadable subscription). The log line names the image, the error code and the fix.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    // Every failure is its own event, not a state that clears.
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: failureQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [
        actionGroup.id
      ]
    }
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
output alertRuleName string = failureAlert.name
