// Optional gateway: API Management passing /api/* through to the function app. Callers keep sending the function
// key for writes and admin routes (x-functions-key or ?code=). With an Entra ID tenant and audience it also validates
// bearer tokens (required on writes, checked on reads that bring one) and forwards the validated caller, signed, so
// the app can trust a caller the gateway vouches for (docs/security.md, "The gateway"); with a rate limit it limits
// each caller; with a storefront origin it answers CORS for it. Consumption tier unless a rate limit is asked for:
// rate-limit-by-key is not offered on Consumption, so a limit makes the gateway Basic v2.
param name string
param location string
param tags object
param publisherEmail string
@description('The function app\'s API root, e.g. https://func-xyz.azurewebsites.net/api.')
param backendUrl string

@description('Entra ID tenant whose tokens the gateway validates (with entraAudience). Empty: no token validation.')
param entraTenantId string = ''

@description('Audience (application ID URI or client id) the tokens must be issued for. Empty: no token validation.')
param entraAudience string = ''

@minValue(0)
@description('Calls per minute allowed to each caller (validated token subject, else the client IP). 0: no limit.')
param rateLimitCallsPerMinute int = 0

@description('The storefront\'s origin (e.g. https://shop.example) answered with CORS. Empty: no CORS policy.')
param storefrontOrigin string = ''

@description('The cloud\'s Entra ID login endpoint (with its trailing slash); sovereign clouds have their own.')
param loginEndpoint string

@secure()
@description('Shared with the app (Gateway__CallerSecret): keys the HMAC of the caller header the gateway forwards.')
param callerSecret string

var validatesTokens = !empty(entraTenantId) && !empty(entraAudience)
var skuName = rateLimitCallsPerMinute > 0 ? 'BasicV2' : 'Consumption'

resource service 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    capacity: skuName == 'Consumption' ? 0 : 1
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

resource callerSecretValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = if (validatesTokens) {
  parent: service
  name: 'shop-caller-secret'
  properties: {
    displayName: 'shop-caller-secret'
    secret: true
    value: callerSecret
  }
}

// The policy is assembled from the fragments its parameters ask for; each is valid XML (rawxml keeps it as written).
var corsTemplate = '''
    <cors allow-credentials="false">
      <allowed-origins>
        <origin>__ORIGIN__</origin>
      </allowed-origins>
      <allowed-methods preflight-result-max-age="600">
        <method>GET</method>
        <method>POST</method>
        <method>PATCH</method>
        <method>DELETE</method>
      </allowed-methods>
      <allowed-headers>
        <header>Authorization</header>
        <header>Content-Type</header>
        <header>Idempotency-Key</header>
        <header>If-None-Match</header>
        <header>x-functions-key</header>
      </allowed-headers>
      <expose-headers>
        <header>Location</header>
        <header>Retry-After</header>
        <header>ETag</header>
      </expose-headers>
    </cors>'''

// A client cannot bring caller headers of its own: they are removed before the gateway sets them.
var stripCaller = '''
    <set-header name="X-Shop-Caller" exists-action="delete" />
    <set-header name="X-Shop-Caller-Signature" exists-action="delete" />'''

// Writes need a valid token; reads are validated when they bring one. The caller is the token's oid (its sub when it
// has none), signed "t=<unix seconds>,v1=<base64 HMAC-SHA256 of t.caller>" with the shared caller secret.
var jwtTemplate = '''
    <choose>
      <when condition="@((context.Request.Method != &quot;GET&quot; &amp;&amp; context.Request.Method != &quot;HEAD&quot;) || context.Request.Headers.ContainsKey(&quot;Authorization&quot;))">
        <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="A valid Entra ID bearer token is required." output-token-variable-name="jwt">
          <openid-config url="__LOGIN____TENANT__/v2.0/.well-known/openid-configuration" />
          <audiences>
            <audience>__AUDIENCE__</audience>
          </audiences>
          <issuers>
            <issuer>__LOGIN____TENANT__/v2.0</issuer>
          </issuers>
        </validate-jwt>
        <set-variable name="shopCaller" value="@(((Jwt)context.Variables[&quot;jwt&quot;]).Claims.GetValueOrDefault(&quot;oid&quot;, ((Jwt)context.Variables[&quot;jwt&quot;]).Subject))" />
        <set-header name="X-Shop-Caller" exists-action="override">
          <value>@((string)context.Variables["shopCaller"])</value>
        </set-header>
        <set-header name="X-Shop-Caller-Signature" exists-action="override">
          <value>@{
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
            using (var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("{{shop-caller-secret}}")))
            {
              return "t=" + t + ",v1=" + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(t + "." + (string)context.Variables["shopCaller"])));
            }
          }</value>
        </set-header>
      </when>
    </choose>'''

var rateLimitTemplate = '''
    <rate-limit-by-key calls="__CALLS__" renewal-period="60" counter-key="@(context.Variables.ContainsKey(&quot;shopCaller&quot;) ? (string)context.Variables[&quot;shopCaller&quot;] : context.Request.IpAddress)" />'''

var corsPolicy = empty(storefrontOrigin) ? '' : replace(corsTemplate, '__ORIGIN__', storefrontOrigin)
var jwtPolicy = validatesTokens
  ? replace(replace(replace(jwtTemplate, '__LOGIN__', loginEndpoint), '__TENANT__', entraTenantId), '__AUDIENCE__', entraAudience)
  : ''
var rateLimitPolicy = rateLimitCallsPerMinute > 0 ? replace(rateLimitTemplate, '__CALLS__', string(rateLimitCallsPerMinute)) : ''

var policyTemplate = '''<policies>
  <inbound>
    <base />
__INBOUND__
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>'''
// Multi-line strings drop their first line break: each fragment gets its own.
var policy = replace(policyTemplate, '__INBOUND__', join(filter([corsPolicy, stripCaller, jwtPolicy, rateLimitPolicy], f => !empty(f)), '\n'))

resource shopApiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: shopApi
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: policy
  }
  dependsOn: [
    callerSecretValue
  ]
}

var methods = [
  'GET'
  'POST'
  'PATCH'
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
