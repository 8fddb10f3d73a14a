import { ApiProperty } from '@nestjs/swagger';
import type { JobFailure, QueueSnapshot } from '../../../infrastructure/queue/job-queue.js';

export class JobFailureView {
  @ApiProperty({ type: String, nullable: true, example: '0f5c1b8e-6a2d-4c3f-9e7a-1d2b3c4d5e6f:1764680000000' })
  jobId: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, example: 5, description: 'Attempts made before the job was given up' })
  attempts: number;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T14:03:11.000Z' })
  failedAt: Date;

  @ApiProperty({
    example: 'connect ECONNREFUSED 10.0.0.7:6514',
    maxLength: 200,
    description: "The error's message, as the job's log line has it (cut to 200 characters); never the job's data",
  })
  reason: string;

  static of(failure: JobFailure): JobFailureView {
    return Object.assign(new JobFailureView(), failure);
  }
}

export class QueueView {
  @ApiProperty({ example: 'outbox.drain' })
  name: string;

  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  waiting: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  active: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 1,
    description: 'Scheduled for later: a delay, a retry backoff, the next repeat (Bull)',
  })
  delayed: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 0,
    description: 'In-process: completed since boot. Bull: completed jobs still kept, and this app removes them at once',
  })
  completed: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 2,
    description: 'Given up after their last attempt (in-process: since boot)',
  })
  failed: number;

  @ApiProperty({ type: [JobFailureView], description: 'The latest failures, newest first, at most 10' })
  recentFailures: JobFailureView[];

  static of({ recentFailures, ...counts }: QueueSnapshot): QueueView {
    return Object.assign(new QueueView(), counts, { recentFailures: recentFailures.map(JobFailureView.of) });
  }
}

export class QueueSummaryView {
  @ApiProperty({ enum: ['bull', 'in-process'], example: 'in-process', description: 'Bull on Redis, or in process' })
  runner: 'bull' | 'in-process';

  @ApiProperty({ type: [QueueView], description: 'Every queue this replica uses, by name' })
  queues: QueueView[];
}
