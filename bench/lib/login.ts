/**
 * What every bench request says about its client. Sessions are bound to the device that logged in
 * (user agent, languages), so the load must present the same headers as the login did.
 */
export const BENCH_CLIENT_HEADERS = { 'user-agent': 'compliance-kit-bench', 'accept-language': 'en' } as const;

/** Logs in to a bench app (started with ADMIN_EMAIL/ADMIN_PASSWORD) and returns the session token. */
export async function logIn(appUrl: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${appUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}
