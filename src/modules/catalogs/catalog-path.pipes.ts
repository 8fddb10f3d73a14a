import type { PipeTransform } from '@nestjs/common';
import type { ProblemException } from '../../common/problem.js';
import { FRAMEWORK_CODE } from '../compliance/records/dto/record-rules.js';
import { catalogNotFound } from './catalogs.service.js';
import { controlNotFound } from './control-graph.service.js';

/** A path framework code in any case; one that cannot be a code names no catalog (404, like an unknown one). */
export class FrameworkCodePipe implements PipeTransform<unknown, string> {
  constructor(private readonly notFound: () => ProblemException = catalogNotFound) {}

  transform(value: unknown): string {
    const code = typeof value === 'string' ? value.toUpperCase() : '';
    if (!FRAMEWORK_CODE.test(code)) throw this.notFound();
    return code;
  }
}

/** A path control id or label: printable ASCII up to a control id's length; anything else names no control. */
export class ControlRefPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value)) throw controlNotFound();
    return value;
  }
}
