/** A bad setting: the boot stops with its one-line message, which names the variable, never its value. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
