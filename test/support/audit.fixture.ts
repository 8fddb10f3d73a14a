import { Body, Controller, Delete, ForbiddenException, Get, Inject, Module, Param, Patch, Post } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Req } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { Public } from '../../src/common/auth/roles';
import { requestMetaOf } from '../../src/common/request-meta';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../src/common/security-events';
import { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { auditDiff } from '../../src/modules/audit/audit-diff';
import { AuditAction, AuditScope, RecordsOwnAudit } from '../../src/modules/audit/audit-scope';
import { AuditService } from '../../src/modules/audit/audit.service';
import { ApiExcludeController } from '@nestjs/swagger';

/** Table the fixture writes; a test creates it with this statement. */
export const WIDGETS_TABLE = 'CREATE TABLE audit_widgets (id serial PRIMARY KEY, name text NOT NULL, secret text)';

class WidgetBody {
  @IsString()
  name: string;

  @IsOptional()
  @IsString()
  secret?: string;
}

type Widget = { id: number; name: string; secret: string | null };

/** Mutating routes shaped like a feature's: create/update/delete a widget, plus failure paths. */
@Public()
// Test-only routes are no part of the published contract: kept out of the document (and so of its conformance check).
@ApiExcludeController()
@Controller('test-audit')
class AuditFixtureController {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly scope: AuditScope,
    private readonly audit: AuditService,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  @Get('widgets')
  async list(): Promise<Widget[]> {
    return this.transactions.manager.query('SELECT * FROM audit_widgets ORDER BY id');
  }

  @Post('widgets')
  @AuditAction('widget.created')
  async create(@Body() body: WidgetBody): Promise<Widget> {
    const [widget] = (await this.transactions.manager.query(
      'INSERT INTO audit_widgets (name, secret) VALUES ($1, $2) RETURNING *',
      [body.name, body.secret ?? null],
    )) as Widget[];
    this.scope.describe({
      resourceType: 'widget',
      resourceId: String(widget.id),
      ...auditDiff(null, widget, { encrypted: ['secret'] }),
    });
    return widget;
  }

  @Patch('widgets/:id')
  @AuditAction('widget.updated')
  async update(@Param('id') id: string, @Body() body: WidgetBody): Promise<Widget> {
    const [before] = (await this.transactions.manager.query('SELECT * FROM audit_widgets WHERE id = $1', [
      id,
    ])) as Widget[];
    const [[after]] = (await this.transactions.manager.query(
      'UPDATE audit_widgets SET name = $2, secret = $3 WHERE id = $1 RETURNING *',
      [id, body.name, body.secret ?? before.secret],
    )) as [Widget[], number];
    this.scope.describe({
      resourceType: 'widget',
      resourceId: id,
      ...auditDiff(before, after, { encrypted: ['secret'] }),
    });
    return after;
  }

  @Delete('widgets/:id')
  async remove(@Param('id') id: string): Promise<void> {
    await this.transactions.manager.query('DELETE FROM audit_widgets WHERE id = $1', [id]);
  }

  @Post('fail')
  async fail(): Promise<void> {
    await this.transactions.manager.query(`INSERT INTO audit_widgets (name) VALUES ('doomed')`);
    throw new Error('boom after writing');
  }

  @Post('self-recorded')
  @RecordsOwnAudit()
  async selfRecorded(@Req() request: FastifyRequest): Promise<void> {
    await this.audit.record({ action: 'widget.bulk.first', request: requestMetaOf(request) });
    await this.audit.record({ action: 'widget.bulk.second', request: requestMetaOf(request) });
  }

  @Post('self-recorded-then-fail')
  @RecordsOwnAudit()
  async selfRecordedThenFail(@Req() request: FastifyRequest): Promise<void> {
    await this.audit.record({ action: 'widget.doomed', request: requestMetaOf(request) });
    throw new Error('boom after recording');
  }

  @Post('forbidden')
  async forbidden(@Req() request: FastifyRequest): Promise<void> {
    await this.securityEvents.record({
      action: 'auth.forbidden',
      severity: 'warning',
      outcome: 'denied',
      request: requestMetaOf(request),
    });
    throw new ForbiddenException('not for you');
  }
}

@Module({ controllers: [AuditFixtureController] })
export class AuditFixtureModule {}
