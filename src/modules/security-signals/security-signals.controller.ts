import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.js';
import { ListSignalsQuery } from './dto/list-signals.query.js';
import { SecuritySignalListDto } from './dto/security-signal.dto.js';
import { SecuritySignalsReader } from './security-signals.reader.js';

/** Auditors (and admins) read signals as they read the rest of the trail. */
@ApiTags('security')
@Roles('auditor')
@Controller('security/signals')
export class SecuritySignalsController {
  constructor(private readonly reader: SecuritySignalsReader) {}

  @Get()
  @ApiOperation({
    operationId: 'listSecuritySignals',
    summary: 'Recent security signals',
    description:
      'What the detectors raised (auth failure bursts, new devices, network switches, keys used outside ' +
      'their networks, mass exports), newest first, from the audit trail (docs/security.md).',
  })
  @ApiOkResponse({ type: SecuritySignalListDto })
  async list(@Query() query: ListSignalsQuery): Promise<SecuritySignalListDto> {
    const { limit, ...filter } = query;
    return { items: await this.reader.recent(filter, limit) };
  }
}
