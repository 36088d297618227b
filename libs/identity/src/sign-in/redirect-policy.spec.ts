import {
  allowedRedirectPort,
  allowedSpaOrigin,
  loopbackRedirectUri,
  safeNextPath,
  spaCallbackUrl,
} from './redirect-policy.js';

describe('where a sign-in may return to', () => {
  it('builds the loopback callback the desktop apps listen for', () => {
    expect(loopbackRedirectUri('google', 4280)).toBe('http://127.0.0.1:4280/auth/google/callback');
    expect(loopbackRedirectUri('github', 4281)).toBe('http://127.0.0.1:4281/auth/github/callback');
  });

  it('allows only listed ports', () => {
    expect(allowedRedirectPort([4280, 4281], 4281)).toBe(4281);
    expect(allowedRedirectPort([4280], 80)).toBeNull();
    expect(allowedRedirectPort([], 4280)).toBeNull();
  });

  it('allows only listed origins, exactly, and defaults to the first', () => {
    const allowed = ['https://app.example.com', 'http://localhost:5173'];
    expect(allowedSpaOrigin(allowed, 'https://app.example.com')).toBe('https://app.example.com');
    expect(allowedSpaOrigin(allowed, 'https://app.example.com/')).toBe('https://app.example.com');
    expect(allowedSpaOrigin(allowed, 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(allowedSpaOrigin(allowed, undefined)).toBe('https://app.example.com');
    expect(allowedSpaOrigin(allowed, '')).toBe('https://app.example.com');
    for (const bad of [
      'https://APP.example.com.evil.example',
      'https://app.example.com@evil.example',
      'https://user:pw@app.example.com',
      'https://app.example.com/path',
      'https://app.example.com:8443',
      'http://app.example.com',
      'javascript:alert(1)',
      'app.example.com',
      '//app.example.com',
    ]) {
      expect(allowedSpaOrigin(allowed, bad)).toBeNull();
    }
    expect(allowedSpaOrigin([], undefined)).toBeNull();
  });

  it('keeps only local paths as next', () => {
    expect(safeNextPath('/assistant')).toBe('/assistant');
    expect(safeNextPath('/a?b=c#d')).toBe('/a?b=c#d');
    for (const bad of [
      undefined,
      '',
      'assistant',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/a\nb',
    ]) {
      expect(safeNextPath(bad)).toBeNull();
    }
    expect(safeNextPath(`/${'a'.repeat(600)}`)).toBeNull();
  });

  it('puts the answer in the query of the SPA callback, leaving out what is null', () => {
    const url = new URL(
      spaCallbackUrl('https://app.example.com', { access_token: 'a b', next: null, error: 'x' }),
    );
    expect(url.origin + url.pathname).toBe('https://app.example.com/auth/callback');
    expect(url.searchParams.get('access_token')).toBe('a b');
    expect(url.searchParams.has('next')).toBe(false);
    expect(url.searchParams.get('error')).toBe('x');
  });
});
