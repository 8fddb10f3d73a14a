import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { SEARCH_INDEXES, type SearchIndexName } from '../../../infrastructure/search/search-document.js';
import type { ReindexRun } from '../search.repository.js';

export class ReindexParamsDto {
  @ApiProperty({ enum: SEARCH_INDEXES, example: 'compliance' })
  @IsIn(SEARCH_INDEXES)
  index: SearchIndexName;
}

export class ReindexRunParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class ReindexRunDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: SEARCH_INDEXES })
  index: SearchIndexName;

  @ApiProperty({ enum: ['running', 'completed', 'failed'] })
  status: ReindexRun['status'];

  @ApiProperty({ example: 12000, description: 'Documents rebuilt so far' })
  processed: number;

  @ApiProperty({ example: '2026-11-24T17:00:00.000Z' })
  startedAt: string;

  @ApiPropertyOptional({ example: '2026-11-24T17:00:09.000Z', nullable: true })
  finishedAt: string | null;

  @ApiPropertyOptional({ example: null, nullable: true })
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
