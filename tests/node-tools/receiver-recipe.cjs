// The JavaScript receiver of docs/webhooks.md ("Verifying a delivery"), byte for byte: the tests run it on real deliveries.
// <recipe>
const { Webhook } = require("standardwebhooks");
const { HTTP } = require("cloudevents");

// secrets: every secret you currently accept, newest first (after a rotation: the new one, then the old one until
// you drop it). headers: the request's headers, names in lower case. body: the raw body as a string.
function receiveShopDelivery(secrets, headers, body) {
  let verified = false;
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers); // checks every v1 signature and the timestamp (5 min)
      verified = true;
      break;
    } catch {
      // not signed with this secret: try the next one
    }
  }
  if (!verified) {
    throw new Error("not signed with any secret we hold, or too old");
  }
  return HTTP.toEvent({ headers, body }); // application/cloudevents+json: a structured CloudEvent
}
// </recipe>

module.exports = { receiveShopDelivery };
