import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { memoized } from '../../common/memoized.js';
import { FieldCipher } from '../encryption/field-cipher.js';

/** Optional header: an opaque id the client keeps per installation (e.g. a UUID in local storage). */
export const DEVICE_ID_HEADER = 'x-device-id';

/**
 * What a session is bound to: stable traits of the client, never the IP (mobile networks and
 * VPNs change it mid-session). docs/security.md lists exactly what each one contributes.
 */
export interface DeviceTraits {
  userAgent?: string;
  acceptLanguage?: string;
  deviceId?: string;
}

export function deviceTraitsOf(headers: IncomingHttpHeaders): DeviceTraits {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
  return {
    userAgent: one(headers['user-agent']),
    acceptLanguage: one(headers['accept-language']),
    deviceId: one(headers[DEVICE_ID_HEADER]),
  };
}

/** Browsers by their own token, most specific first: Edge and Opera also say Chrome, Chrome also says Safari. */
const BROWSERS: [family: string, token: RegExp][] = [
  ['edge', /\b(?:Edg|EdgA|EdgiOS|Edge)\/(\d+)/],
  ['opera', /\b(?:OPR|OPiOS)\/(\d+)/],
  ['samsung', /\bSamsungBrowser\/(\d+)/],
  ['firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['chrome', /\b(?:Chrome|CriOS|Chromium)\/(\d+)/],
  ['safari', /\bVersion\/(\d+)[\d.]*(?: Mobile\/\S+)? Safari\//],
];

/** Android says Linux and iOS says Mac OS X, so they come first. */
const PLATFORMS: [platform: string, token: RegExp][] = [
  ['android', /\bAndroid\b/],
  ['ios', /\b(?:iPhone|iPad|iPod)\b/],
  ['chromeos', /\bCrOS\b/],
  ['windows', /\bWindows\b/],
  ['macos', /\bMacintosh\b|\bMac OS X\b/],
  ['linux', /\bLinux\b|\bX11\b/],
];

/** Any other client: its first `product/version` token (curl/8.4.0, okhttp/4.12.0). */
const PRODUCT = /^([A-Za-z][\w.-]{0,63})\/v?(\d+)/;

/**
 * `family/major platform`, e.g. `firefox/128 linux`: minor versions, build numbers and OS versions
 * are dropped, so a browser's point update does not end its sessions (a major update does).
 */
export function normaliseUserAgent(userAgent = ''): string {
  const ua = userAgent.trim();
  if (!ua) return '';
  const platform = PLATFORMS.find(([, token]) => token.test(ua))?.[0] ?? 'other';
  for (const [family, token] of BROWSERS) {
    const major = token.exec(ua)?.[1];
    if (major) return `${family}/${major} ${platform}`;
  }
  const product = PRODUCT.exec(ua);
  if (product) return `${product[1].toLowerCase()}/${product[2]} ${platform}`;
  return `${ua
    .toLowerCase()
    .replace(/[\d.]+/g, '')
    .slice(0, 64)} ${platform}`;
}

/** The language tags in order of preference, lowercased, without q-values or `*`: `en-gb,en,de`. */
export function normaliseLanguages(acceptLanguage = ''): string {
  const tags = acceptLanguage
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .filter((tag) => tag && tag !== '*');
  return [...new Set(tags)].slice(0, 8).join(',');
}

/** HKDF info: the blind-index key is reused for nothing else under this label. */
const KEY_INFO = 'compliance-kit session device fingerprint v1';
/** 128 bits, hex. */
const FINGERPRINT_CHARS = 32;
/** Distinct device traits remembered with their fingerprint. */
const FINGERPRINTS_KEPT = 4_096;

/**
 * HMAC-SHA256 of the normalised traits under a key derived from the keyring's blind-index key
 * (which never rotates, so a data-key rotation keeps every session bound). Only the HMAC is
 * stored; without the key it cannot be tested against guessed user agents.
 */
@Injectable()
export class DeviceFingerprints {
  // A KeyObject, not the raw bytes: every authenticated request computes one, and HMAC with a raw
  // key costs several times as much per call (measured ~19–27 vs ~4 µs on Node 24).
  private readonly key: KeyObject;

  constructor(cipher: FieldCipher) {
    this.key = createSecretKey(
      Buffer.from(hkdfSync('sha256', cipher.keyring.blindIndexKey, Buffer.alloc(0), KEY_INFO, 32)),
    );
  }

  /** By the raw traits: a client sends the same headers on every request. */
  private readonly fingerprintOf = memoized(FINGERPRINTS_KEPT, (raw) => {
    const [userAgent, acceptLanguage, deviceId] = raw.split('\0');
    const input = [normaliseUserAgent(userAgent), normaliseLanguages(acceptLanguage), deviceId.trim()];
    return createHmac('sha256', this.key).update(input.join('\0')).digest('hex').slice(0, FINGERPRINT_CHARS);
  });

  of(traits: DeviceTraits): string {
    // Header values cannot contain NUL, so the joined input is unambiguous.
    return this.fingerprintOf(`${traits.userAgent ?? ''}\0${traits.acceptLanguage ?? ''}\0${traits.deviceId ?? ''}`);
  }

  /** Constant-time comparison with the fingerprint a session was bound to. */
  matches(bound: string, traits: DeviceTraits): boolean {
    const expected = Buffer.from(bound);
    const actual = Buffer.from(this.of(traits));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
