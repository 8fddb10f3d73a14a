/** Logs in to a bench app (started with ADMIN_EMAIL/ADMIN_PASSWORD) and returns the session token. */
export async function logIn(appUrl: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${appUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}
