/** An account. The password hash never leaves the identity lib. */
export interface User {
  id: string;
  /** Stored lower-cased; unique. */
  email: string;
  isActive: boolean;
  /** False for an account made by signing in with Google or GitHub: it has no password to sign in with. */
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A signed-in session: a short-lived access token and the single-use refresh token of its family. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: User;
}
