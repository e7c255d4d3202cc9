// A real OpenID provider (oidc-provider) for the dashboard's OIDC sign-in tests, on a free loopback port.
//
// It prints "port <n>" once it listens, then reads one JSON line on standard input naming its one client
// ({"clientId", "clientSecret", "redirectUris": [...]}: the Nexus servers' callbacks are known only once they run),
// starts the provider and prints "ready". The issuer is http://localhost:<n>, another site than the servers'
// http://127.0.0.1:<m>, so the browser treats the provider's redirect back as cross-site, as in production.
//
// Accounts: the configuration line also names the accounts and their claims ({"accounts": {"ada": {"role": "admin"}}});
// the login typed on the provider's own (development) sign-in form is the account's id and its ID token's sub. An
// unknown login signs in with no claim but sub. The password is not checked.
import http from 'node:http';
import readline from 'node:readline';
import Provider from 'oidc-provider';

const server = http.createServer((req, res) => {
  res.statusCode = 503;
  res.end('not configured yet');
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});

let accounts = {};

const lines = readline.createInterface({ input: process.stdin });
lines.once('line', (line) => {
  const client = JSON.parse(line);
  accounts = client.accounts ?? {};
  const issuer = `http://localhost:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: { openid: ['sub'], nexus: ['role', 'nexus_queues', 'nexus_namespaces'] },
    // The claims of the scopes go into the ID token (what Nexus maps), not only to the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: ['nexus-test-provider-cookie-key'] },
    async findAccount(_ctx, id) {
      return { accountId: id, async claims() { return { ...(accounts[id] ?? {}), sub: id }; } };
    },
    // First-party client: no consent screen, every scope it asks for is granted.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error ${err.stack}\n`));
  server.removeAllListeners('request');
  server.on('request', provider.callback());
  process.stdout.write('ready\n');
});
lines.on('close', () => process.exit(0));
