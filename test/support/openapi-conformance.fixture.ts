import { Controller, Get, Module, Param } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { Public } from '../../src/common/auth/roles';
import { ProblemException } from '../../src/common/problem';

class TallyNote {
  @ApiProperty({ example: 'counted twice' })
  text: string;
}

class Tally {
  @ApiProperty({ example: 'apples' })
  name: string;

  @ApiProperty({ type: 'integer', example: 3 })
  count: number;

  @ApiProperty({ type: TallyNote, nullable: true })
  note: TallyNote | null;
}

/**
 * Routes whose responses keep or break what they document, so the OpenAPI conformance check can
 * be seen passing and failing (the path parameter, the null and the $ref are there on purpose).
 */
@Public()
@Controller('test-conformance/tallies/:name')
class ConformanceFixtureController {
  @Get()
  @ApiOkResponse({ type: Tally })
  kept(@Param('name') name: string): Tally {
    return { name, count: 3, note: null };
  }

  @Get('miscounted')
  @ApiOkResponse({ type: Tally })
  miscounted(@Param('name') name: string): Tally {
    return { name, count: 'three' as unknown as number, note: { text: 'in words' } };
  }

  @Get('locked')
  @ApiOkResponse({ type: Tally })
  locked(): Tally {
    throw new ProblemException(409, 'conflict', 'The tally is being recounted.');
  }
}

@Module({ controllers: [ConformanceFixtureController] })
export class ConformanceFixtureModule {}
