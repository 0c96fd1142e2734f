// An SMTP server for the e-mail tests (smtp-server, pinned in package.json) on a free port of 127.0.0.1, no TLS.
// The recipient's local part scripts the answer to RCPT TO:
//   tempfail-N.anything@...  451 for the first N tries of that address, then accepted;
//   reject.anything@...      550 (mailbox unavailable);
//   anything else            accepted.
// With SMTP_USER and SMTP_PASSWORD set, AUTH (PLAIN, LOGIN) is required and checked; without, none is offered.
// Prints {"port":N} once listening, then one JSON line per accepted message:
//   {"user":..., "mailFrom":..., "rcptTo":[...], "raw":"<the message, base64>"}.
// Exits when its stdin closes, i.e. when the test process that started it ends.
'use strict';
const { SMTPServer } = require('smtp-server');

const user = process.env.SMTP_USER || '';
const password = process.env.SMTP_PASSWORD || '';
const tries = new Map();

function refusal(code, text) {
  const error = new Error(text);
  error.responseCode = code;
  return error;
}

const server = new SMTPServer({
  name: 'smtp-test-server.local',
  logger: false,
  disabledCommands: user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
  authOptional: !user,
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, session, callback) {
    if (auth.username === user && auth.password === password) {
      return callback(null, { user: auth.username });
    }
    return callback(refusal(535, 'Authentication credentials invalid'));
  },
  onRcptTo(address, session, callback) {
    const local = address.address.split('@')[0];
    const tempfail = /^tempfail-(\d+)\./.exec(local);
    if (tempfail) {
      const seen = (tries.get(address.address) || 0) + 1;
      tries.set(address.address, seen);
      if (seen <= Number(tempfail[1])) {
        return callback(refusal(451, 'Requested action aborted: try again later'));
      }
    }
    if (local.startsWith('reject.')) {
      return callback(refusal(550, 'Requested action not taken: mailbox unavailable'));
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', chunk => chunks.push(chunk));
    stream.on('end', () => {
      process.stdout.write(JSON.stringify({
        user: session.user || null,
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map(r => r.address),
        raw: Buffer.concat(chunks).toString('base64'),
      }) + '\n');
      callback(null, 'Queued');
    });
  },
});

server.on('error', error => {
  process.stderr.write(`smtp-test-server: ${error.message}\n`);
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + '\n');
});

process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
