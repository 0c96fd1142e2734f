// Optional gateway: API Management, Consumption tier, passing /api/* through to the function app. Callers keep
// sending the function key for writes and admin routes (x-functions-key or ?code=); the gateway stores no secret.
param name string
param location string
param tags object
param publisherEmail string
@description('The function app\'s API root, e.g. https://func-xyz.azurewebsites.net/api.')
param backendUrl string

resource service 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Consumption'
    capacity: 0
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: 'Shop'
  }
}

resource shopApi 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: service
  name: 'shop'
  properties: {
    displayName: 'Shop'
    path: 'api'
    protocols: [
      'https'
    ]
    serviceUrl: backendUrl
    subscriptionRequired: false
  }
}

var methods = [
  'GET'
  'POST'
  'DELETE'
  'OPTIONS'
]

resource operations 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = [
  for method in methods: {
    parent: shopApi
    name: toLower('${method}-all')
    properties: {
      displayName: '${method} /*'
      method: method
      urlTemplate: '/*'
    }
  }
]

output gatewayUrl string = service.properties.gatewayUrl
