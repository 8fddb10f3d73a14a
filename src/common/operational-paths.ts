/** Probes and scrapes: never rate limited, never authenticated, never audited. */
export const isOperationalPath = (path: string) => path.startsWith('/health') || path.startsWith('/metrics');
