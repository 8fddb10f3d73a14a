import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { SEARCH_INDEXES, type SearchIndexName } from '../../../infrastructure/search/search-document.js';
import type { ReindexRun } from '../search.repository.js';

export class ReindexParamsDto {
  @ApiProperty({ enum: SEARCH_INDEXES, example: 'compliance' })
  @IsIn(SEARCH_INDEXES)
  index: SearchIndexName;
}

export class ReindexRunDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: SEARCH_INDEXES })
  index: SearchIndexName;

  @ApiProperty({ enum: ['running', 'completed', 'failed'] })
  status: ReindexRun['status'];

  @ApiProperty({ type: 'integer', example: 12000, description: 'Documents rebuilt so far' })
  processed: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T17:00:00.000Z' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-24T17:00:09.000Z', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: String, example: 'connect ECONNREFUSED', nullable: true, description: 'Why a run failed' })
  failure: string | null;

  static from(run: ReindexRun): ReindexRunDto {
    return {
      id: run.id,
      index: run.index,
      status: run.status,
      processed: run.processed,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: run.finishedAt ? new Date(run.finishedAt).toISOString() : null,
      failure: run.failure,
    };
  }
}
