// Service Bus Standard with docs/architecture.md's topology (names from functions/Messaging/ServiceBusEntities.cs). The same
// topology is in infra/local/servicebus-emulator.json; a test keeps the code, this file and the emulator config equal.
param name string
param location string
param tags object

var queueNames = [
  'place-order'
  'ship-order'
  'cancel-shipment'
  'dispatch-booked-shipment'
  'send-email'
  'deliver-webhook'
  'reorder-stock'
]

var topicName = 'order-events'

// Each subscription has one SQL rule that replaces $Default (docs/messaging.md, "Topic subscriptions: the retryFor
// filter rule"): a retry copy sent to the topic reaches only the subscription that failed.
var subscriptions = [
  {
    name: 'notifications'
    filter: '(retryFor IS NULL OR retryFor = \'notifications\') AND (sys.Label = \'OrderAccepted\' OR sys.Label = \'ShipmentDispatched\' OR sys.Label = \'OrderCompleted\' OR sys.Label = \'OrderFailed\' OR sys.Label = \'OrderCancelled\' OR sys.Label = \'PaymentRefunded\' OR sys.Label = \'Backordered\')'
  }
  {
    name: 'webhooks'
    filter: '(retryFor IS NULL OR retryFor = \'webhooks\') AND sys.Label <> \'StockReplenished\''
  }
  {
    name: 'fulfillment'
    filter: '(retryFor IS NULL OR retryFor = \'fulfillment\') AND (sys.Label = \'ShipmentDispatched\' OR sys.Label = \'ShipmentCancelled\')'
  }
  {
    name: 'catalog'
    filter: '(retryFor IS NULL OR retryFor = \'catalog\') AND sys.Label = \'OrderCompleted\''
  }
  {
    name: 'inventory'
    filter: '(retryFor IS NULL OR retryFor = \'inventory\') AND sys.Label = \'StockReplenished\''
  }
]

// Long enough to absorb the outbox sweeper's resends and a redelivered original resending its retry copy.
var duplicateDetectionWindow = 'PT1H'
var messageTimeToLive = 'P14D'
var lockDuration = 'PT1M'
var maxDeliveryCount = 10

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: namespace
    name: queueName
    properties: {
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
      maxDeliveryCount: maxDeliveryCount
      deadLetteringOnMessageExpiration: true
      defaultMessageTimeToLive: messageTimeToLive
      lockDuration: lockDuration
      requiresSession: false
      enablePartitioning: false
      maxSizeInMegabytes: 1024
    }
  }
]

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    enablePartitioning: false
    maxSizeInMegabytes: 1024
  }
}

resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for subscription in subscriptions: {
    parent: topic
    name: subscription.name
    properties: {
      maxDeliveryCount: maxDeliveryCount
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: messageTimeToLive
      lockDuration: lockDuration
      requiresSession: false
    }
  }
]

// Declaring the rule named $Default replaces the match-everything rule that every new subscription gets.
resource subscriptionRules 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for (subscription, i) in subscriptions: {
    parent: topicSubscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: subscription.filter
        compatibilityLevel: 20
      }
    }
  }
]

output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueNames string[] = queueNames
output topicNames string[] = [
  topic.name
]
