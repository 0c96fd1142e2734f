// Log Analytics workspace and a workspace-based Application Insights component.
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@description('''Refuse instrumentation-key ingestion: the Functions host and the worker's OpenTelemetry exporter
(functions/Platform/Telemetry.cs) both authenticate with the app's managed identity, as
APPLICATIONINSIGHTS_AUTHENTICATION_STRING says (Monitoring Metrics Publisher, granted in access.bicep).''')
param disableLocalAuth bool = true

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: disableLocalAuth
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
