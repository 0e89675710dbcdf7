/**
 * A real SAML 2.0 identity provider for tests, built from `samlify`: it parses our AuthnRequest
 * (HTTP-Redirect binding) and answers with a Response whose assertion it signs (RSA-SHA256) with a
 * key and self-signed certificate that `openssl` makes for the test. `respond` lets a test bend one
 * fact (audience, recipient, times, assertion ID, issuer) while the IdP still signs; `serve` puts the
 * IdP on a loopback port with a login form for the browser tests.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import samlify from 'samlify';

// samlify wants an XML schema validator for what it parses; the tests parse only our own AuthnRequests.
samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** A key and a self-signed certificate made by openssl (PEM). */
export function makeSigningKey(commonName: string): { keyPem: string; certificatePem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-saml-key-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '3',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    return {
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Facts of one response a test may bend (all default to what a correct IdP says). */
export interface ResponseOverrides {
  /** "Now" at the IdP (IssueInstant, NotBefore); validity runs 5 minutes from it. */
  now?: Date;
  validForMs?: number;
  audience?: string;
  recipient?: string;
  destination?: string;
  assertionId?: string;
  issuer?: string;
  inResponseTo?: string;
  name?: string;
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The test IdP. */
export class SamlTestIdp {
  readonly entityId: string;
  readonly certificatePem: string;
  ssoUrl: string;
  readonly #keyPem: string;
  #server: http.Server | undefined;

  constructor(options: { entityId?: string; key?: { keyPem: string; certificatePem: string }; ssoUrl?: string } = {}) {
    this.entityId = options.entityId ?? `https://idp-${randomBytes(3).toString('hex')}.test/saml`;
    const key = options.key ?? makeSigningKey('inkan-test-idp');
    this.#keyPem = key.keyPem;
    this.certificatePem = key.certificatePem;
    this.ssoUrl = options.ssoUrl ?? 'http://127.0.0.1:9/sso';
  }

  #entities(sp: { entityId: string; acsUrl: string }, signAssertion: boolean) {
    const idp = samlify.IdentityProvider({
      entityID: this.entityId,
      signingCert: this.certificatePem,
      privateKey: this.#keyPem,
      isAssertionEncrypted: false,
      nameIDFormat: [EMAIL_FORMAT],
      singleSignOnService: [{ Binding: REDIRECT, Location: this.ssoUrl }],
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    });
    const serviceProvider = samlify.ServiceProvider({
      entityID: sp.entityId,
      assertionConsumerService: [{ Binding: POST, Location: sp.acsUrl }],
      wantAssertionsSigned: signAssertion,
      authnRequestsSigned: false,
    });
    return { idp, serviceProvider };
  }

  /** The AuthnRequest ID of our redirect URL, as the IdP parses it. */
  async requestIdOf(sp: { entityId: string; acsUrl: string }, redirectUrl: string): Promise<string> {
    const { idp, serviceProvider } = this.#entities(sp, true);
    const url = new URL(redirectUrl);
    const parsed = await idp.parseLoginRequest(serviceProvider, 'redirect', {
      query: Object.fromEntries(url.searchParams),
      octetString: '',
    } as never);
    const id = (parsed.extract as { request?: { id?: string } }).request?.id;
    if (!id) throw new Error('no AuthnRequest ID');
    return id;
  }

  /**
   * A base64 SAMLResponse for the request of `redirectUrl`, for `email`, signed by this IdP (the
   * assertion; with `signAssertion: false` the IdP signs only the response message).
   */
  async respond(
    sp: { entityId: string; acsUrl: string },
    redirectUrl: string,
    email: string,
    overrides: ResponseOverrides = {},
    options: { signAssertion?: boolean } = {},
  ): Promise<string> {
    const signAssertion = options.signAssertion ?? true;
    const { idp, serviceProvider } = this.#entities(sp, signAssertion);
    const requestId = await this.requestIdOf(sp, redirectUrl);
    const now = overrides.now ?? new Date();
    const until = new Date(now.getTime() + (overrides.validForMs ?? 5 * 60_000)).toISOString();
    const attributes =
      `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${escapeXml(email)}</saml:AttributeValue></saml:Attribute>` +
      (overrides.name === undefined
        ? ''
        : `<saml:Attribute Name="displayName"><saml:AttributeValue xsi:type="xs:string">${escapeXml(overrides.name)}</saml:AttributeValue></saml:Attribute>`) +
      '</saml:AttributeStatement>';
    const values = {
      ID: `_${randomBytes(16).toString('hex')}`,
      AssertionID: overrides.assertionId ?? `_${randomBytes(16).toString('hex')}`,
      Destination: overrides.destination ?? sp.acsUrl,
      Audience: overrides.audience ?? sp.entityId,
      SubjectRecipient: overrides.recipient ?? sp.acsUrl,
      Issuer: overrides.issuer ?? this.entityId,
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: until,
      SubjectConfirmationDataNotOnOrAfter: until,
      NameIDFormat: EMAIL_FORMAT,
      NameID: email,
      InResponseTo: overrides.inResponseTo ?? requestId,
      AuthnStatement: '',
    };
    const result = await idp.createLoginResponse(
      serviceProvider,
      { extract: { request: { id: requestId } } } as never,
      'post',
      { email },
      (template: string) => ({
        id: values.ID,
        context: samlify.SamlLib.replaceTagsByValue(template.replace('{AttributeStatement}', attributes), values),
      }),
    );
    return result.context;
  }

  /**
   * Serves the IdP on a loopback port for a browser: GET /sso shows a form (e-mail), POST /login
   * answers with a page whose form posts the SAMLResponse to our ACS (a button to press).
   */
  async serve(sp: { entityId: string; acsUrl: string }): Promise<string> {
    const server = http.createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://idp.invalid');
      const page = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Test IdP</title></head><body>${body}</body></html>`,
        );
      };
      if (request.method === 'GET' && url.pathname === '/sso') {
        page(
          200,
          `<h1>Test IdP</h1><form method="post" action="/login"><input type="hidden" name="request" value="${escapeXml(url.toString())}">` +
            `<label>IdP e-mail <input name="email" type="email"></label><button type="submit">IdP sign in</button></form>`,
        );
        return;
      }
      if (request.method === 'POST' && url.pathname === '/login') {
        let raw = '';
        request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        request.on('end', () => {
          const form = new URLSearchParams(raw);
          this.respond(sp, form.get('request') ?? '', form.get('email') ?? '')
            .then((samlResponse) =>
              page(
                200,
                `<form method="post" action="${escapeXml(sp.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${escapeXml(samlResponse)}">` +
                  `<button type="submit">Continue to Inkan</button></form>`,
              ),
            )
            .catch((error: unknown) => page(500, escapeXml(String(error))));
        });
        return;
      }
      response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.ssoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso`;
    return this.ssoUrl;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
