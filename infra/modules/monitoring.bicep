// Logs, the alert and the workbook: a Log Analytics workspace, workspace-based Application Insights
// that accepts only Entra ID-authenticated telemetry, a log alert on the app's ImageSyncFailure
// event that fires once per image and error code, and an Azure Monitor workbook over the app's log
// lines. docs/monitoring.md explains each.
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

@description('Name of the workbook as the portal shows it.')
param workbookDisplayName string

@minValue(30)
@maxValue(730)
@description('Days the workspace keeps logs.')
param retentionInDays int = 30

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

// The alert's query (docs/monitoring.md shows the same query for a person to run). The app's
// context.error lines reach the workspace's AppTraces table as `ImageSyncFailure {json}`. A new
// workspace has no AppTraces table until the first line arrives: the fuzzy union with an empty
// datatable keeps the query valid until then. Each row is one failure; image, errorCode and
// sourceImageResourceId are the rule's dimensions, so each image and error code is its own alert.
var failureQuery = '''
union isfuzzy=true (datatable(TimeGenerated: datetime, Message: string, SeverityLevel: int)[]), AppTraces
| where SeverityLevel >= 3 and Message startswith "ImageSyncFailure"
| extend fields = parse_json(extract(@"^ImageSyncFailure\s+(\{.*\})", 1, Message))
| extend displayName = tostring(fields.displayName), version = tostring(fields.version), errorCode = tostring(fields.errorCode)
| extend image = iff(isempty(displayName), "(no image: a recorded problem)", strcat(displayName, " ", version))
| extend sourceImageResourceId = iff(isempty(tostring(fields.sourceImageResourceId)), "(none)", tostring(fields.sourceImageResourceId))
| project TimeGenerated, image, errorCode, sourceImageResourceId, remediation = tostring(fields.remediation), detail = tostring(fields.detail)
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
    displayName: 'cloudpc-image-sync: ImageSyncFailure (per image and error code)'
    description: 'An image failed to sync to Windows 365, or a problem was recorded (poison message, unreadable subscription). One alert per image and error code: the dimensions image (display name and version), sourceImageResourceId and errorCode name them; run the query (docs/monitoring.md) or image-sync status for the detail and the fix.'
    severity: 1
    enabled: true
    // The workspace, whose AppTraces table the query reads (workspace-based Application Insights).
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    // A brand-new workspace has no AppTraces table yet: do not let rule validation fail on that.
    skipQueryValidation: true
    // Every failure is its own event, not a state that clears.
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: failureQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'image'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'errorCode'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'sourceImageResourceId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
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

// The workbook (infra/workbooks/image-sync.workbook.json): registrations by state, failures and
// warnings over time, throttling, and the latest problems. Linked to the workspace (sourceId), which
// its queries read; it appears under the workspace's Workbooks and in Azure Monitor > Workbooks.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(workspace.id, 'cloudpc-image-sync-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: workbookDisplayName
    category: 'workbook'
    sourceId: workspace.id
    version: 'Notebook/1.0'
    serializedData: string(union(loadJsonContent('../workbooks/image-sync.workbook.json'), {
      fallbackResourceIds: [
        workspace.id
      ]
    }))
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
output workspaceName string = workspace.name
output alertRuleName string = failureAlert.name
output workbookId string = workbook.id
