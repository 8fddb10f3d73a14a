import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { ErasureLedger } from './erasure-ledger.js';
import { ErasureLedgerIndicator } from './erasure-ledger.indicator.js';
import { SubjectErasureService } from './subject-erasure.service.js';
import { SubjectExportService } from './subject-export.service.js';
import { SubjectsController } from './subjects.controller.js';

/** Data-subject rights: erasure by crypto-shredding (with its ledger) and the subject access export. */
@Module({
  imports: [TerminusModule, UsersModule, SessionsModule],
  controllers: [SubjectsController],
  providers: [ErasureLedger, SubjectErasureService, SubjectExportService, ErasureLedgerIndicator],
  exports: [ErasureLedgerIndicator],
})
export class SubjectsModule {}
