// Shop on Azure: a Flex Consumption function app with a user-assigned identity, Storage (tables, blobs, the
// Durable task hub), Service Bus Standard with docs/architecture.md's topology, Application Insights, and optionally an
// API Management (Consumption) gateway in front. Plain resources only, so `bicep build` works offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; feeds the resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user or principal (azd sets AZURE_PRINCIPAL_ID): gets data access for debugging against the cloud. Empty: no such grants.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal that principalId names.')
param principalType string = 'User'

@description('Resource group name; empty: rg-{environmentName}.')
param resourceGroupName string = ''

@minValue(1)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances across the whole app (the cost ceiling under load).')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(0)
@description('Always-ready instances for the HTTP triggers (0: scale to zero, cold starts on the first request).')
param alwaysReadyHttpInstances int = 0

@minValue(0)
@description('Always-ready instances for the Durable Functions group (orchestrator and activities).')
param alwaysReadyDurableInstances int = 0

@description('Put an API Management (Consumption tier) gateway in front of the function app.')
param enableApiManagement bool = false

@description('Publisher e-mail that API Management requires (only used when enableApiManagement).')
param apiManagementPublisherEmail string = 'ops@shop.example'

@description('''Grant the app's identity Azure Service Bus Data Owner on the entities it consumes, so Flex Consumption's
target-based scaling can read their message counts (with Receiver alone it cannot, and scales less accurately).''')
param serviceBusScaleOnQueueLength bool = true

@secure()
@description('Orders__IdempotencySecret: keys the Idempotency-Key HMAC. azd generates 64 random base64-alphabet characters (48 bytes) once per environment and keeps them in the environment.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param idempotencySecret string

@description('API Management: Entra ID tenant whose bearer tokens the gateway validates (with apiManagementEntraAudience). Empty: none.')
param apiManagementEntraTenantId string = ''

@description('API Management: the audience the tokens must be issued for (application ID URI or client id). Empty: none.')
param apiManagementEntraAudience string = ''

@description('API Management: the Entra ID login endpoint tokens come from (with its trailing slash): this cloud\'s by default.')
param apiManagementEntraLoginEndpoint string = environment().authentication.loginEndpoint

@minValue(0)
@description('API Management: calls per minute per caller (rate-limit-by-key; makes the gateway Basic v2). 0: no limit.')
param apiManagementRateLimitCallsPerMinute int = 0

@description('API Management: the storefront origin answered with CORS (https://shop.example). Empty: no CORS.')
param storefrontOrigin string = ''

@secure()
@description('Gateway__CallerSecret: keys the HMAC of the caller the gateway forwards (X-Shop-Caller). azd generates it once per environment.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param gatewayCallerSecret string

@description('Durable Functions task hub name (DurableTaskHubName).')
param durableTaskHubName string = 'shop'

@description('E-mail address for the alerts (infra/app/alerts.bicep: dead letters, NeedsAttention, function failures, outbox backlog). Empty: no action group and no alert rules are deployed.')
param alertEmail string = ''

@allowed([
  'Sandbox'
  'Smtp'
])
@description('Email__Provider: Sandbox (each e-mail an .eml blob, nothing delivered) or Smtp (the smtp* parameters; the password goes to Key Vault, infra/app/keyvault.bicep).')
param emailProvider string = 'Sandbox'

@description('Email__From: the sender address of customer e-mails (its domain also names their Message-IDs).')
param emailFrom string = 'orders@shop.example'

@description('Email__Smtp__Host: the SMTP server (emailProvider Smtp).')
param smtpHost string = ''

@minValue(1)
@maxValue(65535)
@description('Email__Smtp__Port: 587 for STARTTLS submission, 465 for TLS on connect.')
param smtpPort int = 587

@allowed([
  'StartTls'
  'SslOnConnect'
  'Auto'
])
@description('Email__Smtp__TlsMode. None (plain text) is for a local server only and cannot be chosen here.')
param smtpTlsMode string = 'StartTls'

@description('Email__Smtp__UserName: the SMTP AUTH user; empty: no authentication.')
param smtpUserName string = ''

@secure()
@description('Email__Smtp__Password: stored in Key Vault; the app setting is a Key Vault reference.')
param smtpPassword string = ''

@allowed([
  'Sandbox'
  'Stripe'
])
@description('Payments__Provider: Sandbox (no money moves) or Stripe (its secret key and webhook signing secret go to Key Vault).')
param paymentsProvider string = 'Sandbox'

@secure()
@description('Payments__Stripe__SecretKey (paymentsProvider Stripe): stored in Key Vault.')
param stripeSecretKey string = ''

@secure()
@description('Payments__Stripe__WebhookSecret (paymentsProvider Stripe): the endpoint\'s signing secret, stored in Key Vault.')
param stripeWebhookSecret string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var apiManagementName = '${abbrs.apiManagementService}${resourceToken}'
// The app builds absolute URLs (Location, statusUrl) from this origin; behind the gateway it is the gateway's.
var publicOrigin = enableApiManagement ? 'https://${apiManagementName}.azure-api.net' : 'https://${functionAppName}.azurewebsites.net'
// A real provider's secrets live in Key Vault (infra/app/keyvault.bicep); the vault exists only when one is chosen.
var useSmtp = emailProvider == 'Smtp'
var useStripe = paymentsProvider == 'Stripe'
var useKeyVault = useSmtp || useStripe
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
  }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
  }
}

module access 'app/access.bicep' = {
  name: 'access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    consumedQueues: serviceBus.outputs.queueNames
    consumedTopics: serviceBus.outputs.topicNames
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    serviceBusScaleOnQueueLength: serviceBusScaleOnQueueLength
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module keyVault 'app/keyvault.bicep' = if (useKeyVault) {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    smtpPassword: useSmtp ? smtpPassword : ''
    stripeSecretKey: useStripe ? stripeSecretKey : ''
    stripeWebhookSecret: useStripe ? stripeWebhookSecret : ''
  }
}

// Settings of the chosen providers: plain values, and Key Vault references (never values) for the secrets; empty
// where a provider is not chosen. A reference to a secret that was not given stays unresolved: the app's health
// endpoint then reports the setting missing. Versionless references, so a rotated secret is picked up by itself.
var vaultUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
var emailSettings = {
  provider: emailProvider
  from: emailFrom
  smtpHost: useSmtp ? smtpHost : ''
  smtpPort: string(smtpPort)
  smtpTlsMode: smtpTlsMode
  smtpUserName: useSmtp ? smtpUserName : ''
  smtpPasswordReference: useSmtp && !empty(smtpUserName) ? '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/smtp-password/)' : ''
}
var paymentsSettings = {
  provider: paymentsProvider
  stripeSecretKeyReference: useStripe ? '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/stripe-secret-key/)' : ''
  stripeWebhookSecretReference: useStripe ? '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/stripe-webhook-secret/)' : ''
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    alwaysReadyDurableInstances: alwaysReadyDurableInstances
    durableTaskHubName: durableTaskHubName
    idempotencySecret: idempotencySecret
    publicBaseUrl: publicOrigin
    // The app trusts a forwarded caller only when the gateway validates tokens and signs it.
    gatewayCallerSecret: enableApiManagement && !empty(apiManagementEntraTenantId) && !empty(apiManagementEntraAudience) ? gatewayCallerSecret : ''
    email: emailSettings
    payments: paymentsSettings
  }
  // The app starts (and its triggers connect) only once its identity may reach Storage and Service Bus, and read
  // the Key Vault its settings refer to.
  dependsOn: [
    access
    keyVault
  ]
}

module gateway 'app/apim.bicep' = if (enableApiManagement) {
  name: 'apim'
  scope: rg
  params: {
    name: apiManagementName
    location: location
    tags: tags
    publisherEmail: apiManagementPublisherEmail
    backendUrl: '${api.outputs.uri}/api'
    entraTenantId: apiManagementEntraTenantId
    entraAudience: apiManagementEntraAudience
    loginEndpoint: apiManagementEntraLoginEndpoint
    rateLimitCallsPerMinute: apiManagementRateLimitCallsPerMinute
    storefrontOrigin: storefrontOrigin
    callerSecret: gatewayCallerSecret
  }
}

module alerts 'app/alerts.bicep' = if (!empty(alertEmail)) {
  name: 'alerts'
  scope: rg
  params: {
    actionGroupName: '${abbrs.insightsActionGroups}${resourceToken}'
    alertNamePrefix: '${abbrs.insightsMetricAlerts}${resourceToken}-'
    location: location
    tags: tags
    alertEmail: alertEmail
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespaceName: serviceBus.outputs.name
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output API_MANAGEMENT_GATEWAY_URL string = enableApiManagement ? 'https://${apiManagementName}.azure-api.net' : ''
output AZURE_KEY_VAULT_NAME string = useKeyVault ? keyVaultName : ''
@description('Base URL of the HTTP API (the gateway when API Management is on): append orders, orders/{id}/status, ...')
output API_BASE_URL string = '${publicOrigin}/api'
