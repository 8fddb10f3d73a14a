/** A decimal as Postgres prints a numeric (`714.75`, `-3`, `0.5`): digits scaled by 10^scale. */
interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

function parse(value: string | number): Scaled {
  const match = DECIMAL.exec(String(value));
  if (!match) throw new Error(`not a plain decimal: ${String(value)}`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, scale: fraction.length };
}

function rescale({ units, scale }: Scaled, to: number): bigint {
  return units * 10n ** BigInt(to - scale);
}

/** Sum of numerics, exactly (floating point would add 0.1 + 0.2 into 0.30000000000000004). */
export function sumDecimals(values: (string | number)[]): string {
  const parsed = values.map(parse);
  const scale = Math.max(0, ...parsed.map((value) => value.scale));
  const units = parsed.reduce((sum, value) => sum + rescale(value, scale), 0n);
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${units < 0n ? '-' : ''}${whole}${scale ? `.${digits.slice(-scale)}` : ''}`;
}

/**
 * `numerator / denominator` rounded half away from zero to `places` decimals, as Postgres'
 * `round(numeric, places)` does. Computed on integers: in floating point 714.75 / 10 * 100 is
 * 7147.499…, which rounds to 71.47 where Postgres answers 71.48.
 */
export function roundedRatio(numerator: string | number, denominator: string | number, places: number): number {
  const top = parse(numerator);
  const bottom = parse(denominator);
  const scale = Math.max(top.scale, bottom.scale);
  let dividend = rescale(top, scale) * 10n ** BigInt(places);
  let divisor = rescale(bottom, scale);
  if (divisor === 0n) throw new Error('division by zero');
  if (divisor < 0n) [dividend, divisor] = [-dividend, -divisor];
  const magnitude = ((dividend < 0n ? -dividend : dividend) * 2n + divisor) / (divisor * 2n);
  const rounded = dividend < 0n ? -magnitude : magnitude;
  return Number(rounded) / 10 ** places;
}
