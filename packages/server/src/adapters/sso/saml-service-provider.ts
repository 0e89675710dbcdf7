import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { SamlIdentity, SamlServiceProvider, SamlSettings } from '../../ports/identity-providers.ts';

/** A base64 SAMLResponse larger than this is refused before decoding (a real one is a few KiB). */
export const MAX_SAML_RESPONSE_BASE64 = 256 * 1024;
/** Clock skew tolerated between the IdP and us. */
const CLOCK_SKEW_MS = 60_000;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL_ATTRIBUTES = ['email', 'mail', 'emailAddress', 'urn:oid:0.9.2342.19200300.100.1.3'];
const NAME_ATTRIBUTES = ['displayName', 'name', 'urn:oid:2.16.840.1.113730.3.1.241', 'cn'];

type XmlNode = { _?: string; $?: Record<string, string> } & Record<string, unknown>;

function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function text(node: XmlNode | string | undefined): string | undefined {
  if (typeof node === 'string') return node;
  return typeof node?._ === 'string' ? node._ : undefined;
}

function time(value: string | undefined, what: string): number {
  const ms = value === undefined ? NaN : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`${what} is missing or not a time`);
  return ms;
}

/**
 * The SAML 2.0 service provider over `@node-saml/node-saml`: it verifies the XML signature of the
 * assertion with the IdP's certificate (and reads only what the signature covers, which defeats
 * signature-wrapping), refuses responses with more than one assertion, and checks the audience. Its
 * own timing checks use the machine's clock, so they are off (-1) and done here at the clock port's
 * `now`, with the recipient, the bearer method, InResponseTo and the issuer, all read from the signed
 * assertion.
 */
export class NodeSamlServiceProvider implements SamlServiceProvider {
  #saml(settings: SamlSettings, requestId?: string): SAML {
    return new SAML({
      callbackUrl: settings.acsUrl,
      entryPoint: settings.idpSsoUrl,
      issuer: settings.spEntityId,
      audience: settings.spEntityId,
      idpIssuer: settings.idpEntityId,
      idpCert: settings.idpCertificate,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: -1,
      validateInResponseTo: ValidateInResponseTo.never,
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      ...(requestId === undefined ? {} : { generateUniqueId: () => requestId }),
    });
  }

  async authnRequestUrl(settings: SamlSettings, input: { requestId: string; relayState: string }): Promise<string> {
    return this.#saml(settings, input.requestId).getAuthorizeUrlAsync(input.relayState, undefined, {});
  }

  async validateResponse(
    settings: SamlSettings,
    input: { samlResponse: string; requestId: string; now: Date },
  ): Promise<SamlIdentity> {
    if (input.samlResponse.length > MAX_SAML_RESPONSE_BASE64) throw new Error('the SAML response is too large');
    if (!/^[A-Za-z0-9+/=\r\n]+$/.test(input.samlResponse)) throw new Error('the SAML response is not base64');
    const xml = Buffer.from(input.samlResponse, 'base64').toString('utf8');
    // No document type declarations: no entity expansion, no external entities.
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('the SAML response has a document type declaration');
    const { profile } = await this.#saml(settings).validatePostResponseAsync({ SAMLResponse: input.samlResponse });
    if (!profile) throw new Error('the SAML response carries no assertion');
    // Everything below comes from the assertion the signature covers (node-saml re-parses the signed part).
    const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
    if (!assertion) throw new Error('no signed assertion');
    const now = input.now.getTime();

    const assertionId = assertion.$?.ID;
    if (!assertionId) throw new Error('the assertion has no ID');
    if (text(children(assertion, 'Issuer')[0]) !== settings.idpEntityId)
      throw new Error('the assertion is from another issuer');

    const subject = children(assertion, 'Subject')[0];
    const nameId = text(children(subject, 'NameID')[0]);
    if (!nameId) throw new Error('the assertion names no subject');
    const confirmations = children(subject, 'SubjectConfirmation').filter((c) => c.$?.Method === BEARER);
    if (confirmations.length === 0) throw new Error('no bearer subject confirmation');
    let confirmedUntil: number | undefined;
    const reasons: string[] = [];
    for (const confirmation of confirmations) {
      const data = children(confirmation, 'SubjectConfirmationData')[0]?.$ ?? {};
      if (data.Recipient !== settings.acsUrl) reasons.push('recipient');
      else if (data.InResponseTo !== input.requestId) reasons.push('InResponseTo');
      else if (data.NotBefore !== undefined && now + CLOCK_SKEW_MS < time(data.NotBefore, 'NotBefore'))
        reasons.push('not yet valid');
      else if (now - CLOCK_SKEW_MS >= time(data.NotOnOrAfter, 'SubjectConfirmationData NotOnOrAfter'))
        reasons.push('expired');
      else {
        confirmedUntil = time(data.NotOnOrAfter, 'NotOnOrAfter');
        break;
      }
    }
    if (confirmedUntil === undefined) throw new Error(`subject confirmation refused: ${reasons.join(', ')}`);

    const conditions = children(assertion, 'Conditions');
    if (conditions.length !== 1) throw new Error('the assertion must have one Conditions element');
    const { NotBefore, NotOnOrAfter } = conditions[0]!.$ ?? {};
    if (NotBefore !== undefined && now + CLOCK_SKEW_MS < time(NotBefore, 'Conditions NotBefore'))
      throw new Error('the assertion is not yet valid');
    const conditionsUntil = time(NotOnOrAfter, 'Conditions NotOnOrAfter');
    if (now - CLOCK_SKEW_MS >= conditionsUntil) throw new Error('the assertion has expired');
    const audiences = children(conditions[0], 'AudienceRestriction').flatMap((r) =>
      children(r, 'Audience').map((a) => text(a)),
    );
    if (!audiences.includes(settings.spEntityId)) throw new Error('the assertion is for another audience');

    // The response's own Destination (outside the signature when only the assertion is signed) must not
    // name somewhere else either.
    const destination = /<(?:\w+:)?Response\b[^>]*\sDestination="([^"]*)"/.exec(xml)?.[1];
    if (destination !== undefined && destination !== settings.acsUrl)
      throw new Error('the response is addressed to another destination');

    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    const first = (names: string[]): string | null => {
      for (const name of names) {
        const value = attributes[name];
        const one = Array.isArray(value) ? (value[0] as unknown) : value;
        if (typeof one === 'string' && one.trim() !== '') return one.trim();
      }
      return null;
    };
    const email = first(EMAIL_ATTRIBUTES) ?? (/^[^@\s]+@[^@\s]+$/.test(nameId) ? nameId : null);
    return {
      assertionId,
      subject: nameId,
      email,
      name: first(NAME_ATTRIBUTES),
      notOnOrAfter: new Date(Math.max(confirmedUntil, conditionsUntil)),
    };
  }
}
