// Alerts for operators: one action group (e-mail) and four rules. main.bicep deploys this module only when
// alertEmail is set. The metric names are the app's contract in functions/Platform/ShopMetrics.cs (exported by
// OpenTelemetry to Application Insights, where they land in customMetrics); a test checks they match.
param actionGroupName string
@description('Prefix of the alert rule names (the rule kind is appended).')
param alertNamePrefix string
param tags object
param location string
@description('E-mail address the action group notifies.')
param alertEmail string
param applicationInsightsName string
param serviceBusNamespaceName string

@minValue(1)
@description('Outbox backlog age, in seconds, above which the outbox alert fires.')
param outboxBacklogAgeThresholdSeconds int = 300

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2022-04-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    enabled: true
    groupShortName: 'shop-ops'
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// (a) Any dead-lettered message on any queue or subscription of the namespace, split by entity.
resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${alertNamePrefix}dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages are waiting in a dead-letter queue of the Service Bus namespace (see docs/reliability.md to inspect and resubmit).'
    severity: 2
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

var logAlerts = [
  {
    kind: 'needs-attention'
    description: 'An order was put in NeedsAttention (shop.orders.needs_attention): list them with the ops endpoint.'
    severity: 2
    query: 'customMetrics | where name == "shop.orders.needs_attention" | where valueSum > 0'
  }
  {
    kind: 'function-failures'
    description: 'Function invocations failed (Application Insights requests with success == false).'
    severity: 3
    query: 'requests | where success == false'
  }
  {
    kind: 'outbox-backlog'
    description: 'The oldest unsent outbox row is older than ${outboxBacklogAgeThresholdSeconds} s (shop.outbox.backlog.age): the sweeper cannot send.'
    severity: 2
    query: 'customMetrics | where name == "shop.outbox.backlog.age" | where valueMax > ${outboxBacklogAgeThresholdSeconds}'
  }
]

// (b) orders in NeedsAttention, (c) function failures, (d) outbox backlog: log alerts on Application Insights.
resource queryRules 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = [
  for alert in logAlerts: {
    name: '${alertNamePrefix}${alert.kind}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${alertNamePrefix}${alert.kind}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
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
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
