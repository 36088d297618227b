/** The providers Mira signs people in with. */
export type SignInProvider = 'google' | 'github';

/**
 * `desktop`: the app catches the provider's redirect on its loopback port (http://127.0.0.1:<port>/auth/<provider>/
 * callback) and hands Mira what it caught. `web`: the browser goes through Mira's own callback and back to the SPA.
 */
export type SignInFlowKind = 'desktop' | 'web';

/** Who the provider says signed in, after every check (ID token or API answer) passed. */
export interface ProviderIdentity {
  provider: SignInProvider;
  /** The provider's stable id of the person (OIDC `sub`, GitHub user id). */
  subject: string;
  /** Lower-cased; null when the provider gave none. */
  email: string | null;
  /** Whether the provider itself verified that the person controls `email`. */
  emailVerified: boolean;
}

/** A started sign-in, kept server-side under the hash of its state until it is finished or expires. */
export interface SignInFlow {
  provider: SignInProvider;
  kind: SignInFlowKind;
  /** Exactly the redirect_uri sent to the provider (it must be sent again with the code). */
  redirectUri: string;
  codeVerifier: string;
  /** OIDC only: the nonce the ID token must carry. */
  nonce: string | null;
  redirectPort: number | null;
  spaOrigin: string | null;
  nextPath: string | null;
}

/** The provider half of a sign-in: the URL to send the person to, and the code exchanged for a checked identity. */
export interface SignInProviderClient {
  readonly provider: SignInProvider;
  authorizationUrl(flow: SignInFlow, state: string): Promise<URL>;
  /** `response` holds the parameters the provider redirected with (code, state, and whatever else it sent). */
  identify(flow: SignInFlow, response: URLSearchParams, state: string): Promise<ProviderIdentity>;
}
