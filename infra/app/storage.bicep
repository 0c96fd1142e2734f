// The app's storage account: the Durable task hub (AzureWebJobsStorage), the deployment package container, the
// app's tables (functions/Platform/StorageTables.cs) and blob containers. Entra ID only: shared keys are off.
param name string
param location string
param tags object

@description('Blob container that Flex Consumption deploys the app package from.')
param deploymentContainerName string = 'app-package'

// Every constant of StorageTables (functions/Platform/StorageTables.cs), including those a feature is about to use.
var tableNames = [
  'Orders'
  'Inventory'
  'Webhooks'
  'WebhookDeliveries'
  'Catalog'
  'Inbox'
  'PaymentsSandbox'
  'Shipments'
  'OpenOrders'
  'FinishedOrders'
  'PaymentsStripe'
  'CustomerOrders'
  'OutboxIndex'
]

// Containers the app writes (SandboxEmailSender.ContainerName), plus the deployment container.
var appContainerNames = [
  'sent-emails'
]

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for containerName in appContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
