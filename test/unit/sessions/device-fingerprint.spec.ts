import {
  DeviceFingerprints,
  normaliseLanguages,
  normaliseUserAgent,
} from '../../../src/modules/sessions/device-fingerprint';
import { aCipher } from '../../support/builders/keyring.builder';

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36';

describe('device fingerprint', () => {
  it.each([
    [CHROME_WINDOWS, 'chrome/131 windows'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
      'edge/131 windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'firefox/128 linux'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
      'safari/17 macos',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
      'safari/17 ios',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
      'chrome/131 android',
    ],
    ['curl/8.4.0', 'curl/8 other'],
    ['', ''],
  ])('reduces %p to family, major version and platform', (userAgent, normalised) => {
    expect(normaliseUserAgent(userAgent)).toBe(normalised);
  });

  it('reduces Accept-Language to its tags in order, without q-values or *', () => {
    expect(normaliseLanguages('en-GB,en;q=0.9,de;q=0.8')).toBe('en-gb,en,de');
    expect(normaliseLanguages('en-GB, en;q=0.5, *;q=0.1')).toBe('en-gb,en');
    expect(normaliseLanguages('*')).toBe('');
  });

  describe('DeviceFingerprints', () => {
    const fingerprints = new DeviceFingerprints(aCipher());
    const laptop = { userAgent: CHROME_WINDOWS, acceptLanguage: 'en-GB,en;q=0.9', deviceId: 'install-1' };

    it('is a 128-bit keyed hash that contains none of the traits', () => {
      const fingerprint = fingerprints.of(laptop);
      expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(new DeviceFingerprints(aCipher()).of(laptop)).not.toBe(fingerprint);
    });

    it('survives a minor browser update and other q-values, not a major update, a new install or another language', () => {
      const bound = fingerprints.of(laptop);
      const minor = { ...laptop, userAgent: CHROME_WINDOWS.replace('131.0.6778.85', '131.0.6778.140') };
      expect(fingerprints.matches(bound, minor)).toBe(true);
      expect(fingerprints.matches(bound, { ...laptop, acceptLanguage: 'en-GB,en;q=0.7' })).toBe(true);
      expect(fingerprints.matches(bound, { ...laptop, userAgent: CHROME_WINDOWS.replace('131.', '132.') })).toBe(false);
      expect(fingerprints.matches(bound, { ...laptop, deviceId: 'install-2' })).toBe(false);
      expect(fingerprints.matches(bound, { ...laptop, deviceId: undefined })).toBe(false);
      expect(fingerprints.matches(bound, { ...laptop, acceptLanguage: 'de-DE' })).toBe(false);
    });

    it('never matches a stored value of another length', () => {
      expect(fingerprints.matches('', laptop)).toBe(false);
      expect(fingerprints.matches(fingerprints.of(laptop).slice(1), laptop)).toBe(false);
    });
  });
});
