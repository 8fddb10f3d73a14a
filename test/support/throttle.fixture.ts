import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import { Public } from '../../src/common/auth/roles';

/** Routes with their own limits, to check that route-level `@Throttle()` and `@SkipThrottle()` hold. */
@Public()
@Controller('test-throttle')
class ThrottleFixtureController {
  @Get('strict')
  @Throttle({ api: { limit: 2, ttl: 60_000 } })
  @ApiOkResponse({ description: 'Two per minute', schema: { type: 'object' } })
  strict() {
    return {};
  }

  @Get('by-request')
  @Throttle({ api: { limit: () => 3, ttl: 60_000 } })
  @ApiOkResponse({ description: 'A limit resolved per request', schema: { type: 'object' } })
  byRequest() {
    return {};
  }

  @Get('unlimited')
  @SkipThrottle({ api: true })
  @ApiOkResponse({ description: 'Not limited', schema: { type: 'object' } })
  unlimited() {
    return {};
  }
}

@Module({ controllers: [ThrottleFixtureController] })
export class ThrottleFixtureModule {}
