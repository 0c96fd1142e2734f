// Log Analytics workspace and a workspace-based Application Insights component.
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@description('''Refuse instrumentation-key ingestion. Off by default: the Functions host authenticates with Entra ID
(APPLICATIONINSIGHTS_AUTHENTICATION_STRING), but the worker's OpenTelemetry exporter (functions/Platform/Telemetry.cs)
is configured without a credential, so with local auth off the worker's logs and traces would be rejected.''')
param disableLocalAuth bool = false

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
