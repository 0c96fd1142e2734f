// Reads [{ headers, body, secrets, now }] as JSON on stdin and writes, for each delivery, what the reference
// libraries make of it as sent: standardwebhooks' verify with each secret, cloudevents' HTTP.toEvent, and the
// docs' recipe with all the secrets. `now` (Unix seconds) is the receiver's clock for the timestamp check.
const { Webhook } = require("standardwebhooks");
const { HTTP } = require("cloudevents");
const { receiveShopDelivery } = require("./receiver-recipe.cjs");

function attempt(action) {
  try {
    return { ok: true, value: action() };
  } catch (error) {
    return { ok: false, error: String(error && error.message ? error.message : error) };
  }
}

function atTime(now, action) {
  const realNow = Date.now;
  Date.now = () => now * 1000;
  try {
    return action();
  } finally {
    Date.now = realNow;
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ headers, body, secrets, now }) =>
    atTime(now, () => ({
      standardWebhooks: secrets.map((secret) => attempt(() => (new Webhook(secret).verify(body, headers), true))),
      cloudEvent: attempt(() => {
        const event = HTTP.toEvent({ headers, body });
        return { id: event.id, type: event.type, source: event.source, specversion: event.specversion, subject: event.subject, data: event.data };
      }),
      recipe: attempt(() => receiveShopDelivery(secrets, headers, body).id),
    })),
  );
  process.stdout.write(JSON.stringify(results));
});
