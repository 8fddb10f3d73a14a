import { Public } from '../../src/common/auth/roles';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ApiCreatedResponse } from '@nestjs/swagger';

class EchoItem {
  @IsInt()
  @Min(0)
  @Max(100)
  score: number;
}

class EchoBody {
  @IsString()
  @MaxLength(20)
  name: string;

  @ValidateNested({ each: true })
  @Type(() => EchoItem)
  items: EchoItem[];
}

/** A route with a validated body, used to exercise the global request pipeline. */
@Public()
@Controller('test-echo')
class EchoController {
  @Post()
  @ApiCreatedResponse({ description: 'The body, as validated', schema: { type: 'object' } })
  echo(@Body() body: EchoBody): EchoBody {
    return body;
  }
}

@Module({ controllers: [EchoController] })
export class EchoFixtureModule {}
