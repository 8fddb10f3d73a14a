import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config.js';
import { Environment, validateEnvironment } from './environment.js';

const ENVIRONMENT_KEY = 'environment';

/**
 * Validates the environment once and exposes it as `AppConfig`.
 * `source` lets tests boot several apps with different settings in one process.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(source: Record<string, unknown> = process.env): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ [ENVIRONMENT_KEY]: validateEnvironment(source) })],
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => new AppConfig(config.getOrThrow<Environment>(ENVIRONMENT_KEY)),
        },
      ],
      exports: [AppConfig],
    };
  }
}
