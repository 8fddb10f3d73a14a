import { IsDate, IsDefined } from 'class-validator';

/** A missing required value: the validation pipe reports it alone, without the rules it also fails. */
export const Required = () => IsDefined({ message: '$property is required' });

export const DATE_TIME_MESSAGE = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z';

/** Dates arrive as ISO 8601 text; say so rather than class-validator's "must be a Date instance". */
export const IsDateTime = () => IsDate({ message: `$property ${DATE_TIME_MESSAGE}` });

/** Framework codes are upper case; a filter accepts them in any case. */
export const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
