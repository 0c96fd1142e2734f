// Role assignments: what the app's identity needs at run time, and data access for the deploying user.
// Names are guid(scope, principal, role), so a redeploy finds the same assignments.
param storageAccountName string
param serviceBusNamespaceName string
param consumedQueues string[]
param consumedTopics string[]
param applicationInsightsName string
param appPrincipalId string
param serviceBusScaleOnQueueLength bool
param userPrincipalId string
@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Durable Functions on Storage (task hub blobs, queues, tables), the deployment package, the app's tables and blobs.
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

// Publish (outbox relay, retry copies, replays) and consume (triggers, dead-letter listing).
var serviceBusRoles = [
  roles.serviceBusDataSender
  roles.serviceBusDataReceiver
]

var withUser = !empty(userPrincipalId)

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [
  for queueName in consumedQueues: {
    parent: serviceBus
    name: queueName
  }
]

resource topics 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' existing = [
  for topicName in consumedTopics: {
    parent: serviceBus
    name: topicName
  }
]

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    scope: storageAccount
    name: guid(storageAccount.id, appPrincipalId, role)
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource appServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in serviceBusRoles: {
    scope: serviceBus
    name: guid(serviceBus.id, appPrincipalId, role)
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

// Target-based scaling reads each trigger's entity runtime properties (active message count) through the Service Bus
// administration API, which needs the Manage right: Azure Service Bus Data Owner. Scoped to the consumed queues and
// topics, not the namespace, so the app cannot create or delete other entities.
resource appQueueScaleReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in consumedQueues: if (serviceBusScaleOnQueueLength) {
    scope: queues[i]
    name: guid(queues[i].id, appPrincipalId, roles.serviceBusDataOwner)
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    }
  }
]

resource appTopicScaleReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (topicName, i) in consumedTopics: if (serviceBusScaleOnQueueLength) {
    scope: topics[i]
    name: guid(topics[i].id, appPrincipalId, roles.serviceBusDataOwner)
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    }
  }
]

// The host sends telemetry with Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// The deploying user: run the app locally against the cloud resources (tables, blobs, queues, send and receive).
resource userStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: if (withUser) {
    scope: storageAccount
    name: guid(storageAccount.id, userPrincipalId, role)
    properties: {
      principalId: userPrincipalId
      principalType: userPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource userServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in serviceBusRoles: if (withUser) {
    scope: serviceBus
    name: guid(serviceBus.id, userPrincipalId, role)
    properties: {
      principalId: userPrincipalId
      principalType: userPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource userTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  scope: applicationInsights
  name: guid(applicationInsights.id, userPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
