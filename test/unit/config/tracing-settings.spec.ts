import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';

const tracing = (environment: Record<string, string>) => new AppConfig(validateEnvironment(environment)).tracing;

describe('tracing settings (OTEL_* variables)', () => {
  it('are off by default, with the specification’s defaults otherwise', () => {
    expect(tracing({})).toEqual({
      enabled: false,
      serviceName: 'compliance-kit',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      otlp: { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', headers: {}, timeoutMs: 10_000 },
    });
  });

  it('turn on with an OTLP endpoint, which gets /v1/traces appended', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      enabled: true,
      otlp: { url: 'http://collector:4318/v1/traces' },
    });
  });

  it('take the traces endpoint as it is, over the base endpoint', () => {
    const settings = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
    });
    expect(settings).toMatchObject({ enabled: true, otlp: { url: 'https://traces.example.com/ingest' } });
  });

  it('turn on with OTEL_TRACES_EXPORTER=otlp alone (the local collector), and stay off with none or OTEL_SDK_DISABLED', () => {
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(
      tracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).enabled,
    ).toBe(false);
    expect(tracing({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(false);
  });

  it('read the protocol (traces-specific first), the sampler and its ratio, and percent-decode header values', () => {
    const settings = tracing({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%3D%3D, x-tenant = ops team',
    });
    expect(settings).toMatchObject({
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      otlp: { protocol: 'http/json', headers: { 'api-key': 'abc==', 'x-tenant': 'ops team' } },
    });
  });

  it.each([
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_TRACES_SAMPLER_ARG', 'half'],
  ])('refuse %s=%p with one line naming it', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${name} [^\\n]+$`),
    );
  });

  it('refuse malformed OTLP headers without echoing them (they hold credentials)', () => {
    expect(() => validateEnvironment({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cr3t-token' })).toThrow(
      /^(?!.*s3cr3t)Invalid configuration: OTEL_EXPORTER_OTLP_HEADERS /,
    );
  });
});
