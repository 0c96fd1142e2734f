// The Flex Consumption plan and the function app (dotnet-isolated, .NET 10). Every connection is identity-based,
// through the one user-assigned identity: no connection strings, no keys in app settings.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param serviceBusFullyQualifiedNamespace string
param applicationInsightsConnectionString string
param maximumInstanceCount int
param instanceMemoryMB int
param alwaysReadyHttpInstances int
param alwaysReadyDurableInstances int
param durableTaskHubName string
@secure()
param idempotencySecret string
@description('Origin the app puts in absolute URLs (PublicUrls__BaseUrl).')
param publicBaseUrl string
@secure()
@description('Gateway__CallerSecret: verifies the caller API Management forwards. Empty: no forwarded caller is trusted.')
param gatewayCallerSecret string = ''
@description('The e-mail provider\'s settings (main.bicep): provider, from, smtpHost, smtpPort, smtpTlsMode, smtpUserName, smtpPasswordReference (a Key Vault reference or empty).')
param email object
@description('The payment provider\'s settings (main.bicep): provider, stripeSecretKeyReference, stripeWebhookSecretReference (Key Vault references or empty).')
param payments object

var alwaysReady = concat(
  alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
  alwaysReadyDurableInstances > 0 ? [{ name: 'durable', instanceCount: alwaysReadyDurableInstances }] : []
)

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (@Microsoft.KeyVault(...)) in the app settings are resolved with the app's one identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // The Functions host: Durable task hub and host state, through the identity.
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      DurableTaskHubName: durableTaskHubName
      // The app's tables and blobs (functions/Platform/AzureClients.cs, setting "Storage").
      Storage__tableServiceUri: storage.properties.primaryEndpoints.table
      Storage__blobServiceUri: storage.properties.primaryEndpoints.blob
      Storage__credential: 'managedidentity'
      Storage__clientId: identityClientId
      // Triggers (Connection = "ServiceBus") and the app's own ServiceBusClient.
      ServiceBus__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
      ServiceBus__credential: 'managedidentity'
      ServiceBus__clientId: identityClientId
      AZURE_CLIENT_ID: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      Orders__IdempotencySecret: idempotencySecret
      PublicUrls__BaseUrl: publicBaseUrl
      PublicUrls__TrustForwardedHeaders: 'false'
      // The open-orders watchdog's timer (functions/Orders/Watchdog/OpenOrdersOptions.cs): every 5 minutes.
      WatchOpenOrdersSchedule: '0 */5 * * * *'
      Gateway__CallerSecret: gatewayCallerSecret
      // The retention timer (functions/Platform/Retention/RetentionOptions.cs): daily at 03:15 UTC.
      ApplyRetentionSchedule: '0 15 3 * * *'
      // The providers (functions/Notifications, functions/Payments): secrets only as Key Vault references.
      Email__Provider: email.provider
      Email__From: email.from
      Email__Smtp__Host: email.smtpHost
      Email__Smtp__Port: email.smtpPort
      Email__Smtp__TlsMode: email.smtpTlsMode
      Email__Smtp__UserName: email.smtpUserName
      Email__Smtp__Password: email.smtpPasswordReference
      Payments__Provider: payments.provider
      Payments__Stripe__SecretKey: payments.stripeSecretKeyReference
      Payments__Stripe__WebhookSecret: payments.stripeWebhookSecretReference
    }
  }
}

// No publishing with user names and passwords: azd deploys with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
