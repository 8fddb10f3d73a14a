import { registerDecorator, ValidationOptions } from 'class-validator';

/** The value, serialized as JSON, is at most `bytes` long (caps JSONB documents). */
export function fitsJsonSize(value: unknown, bytes: number): boolean {
  return value === undefined || Buffer.byteLength(JSON.stringify(value)) <= bytes;
}

export function maxJsonSizeMessage(property: string, bytes: number): string {
  return `${property} must be at most ${bytes} bytes as JSON`;
}

export function MaxJsonSize(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxJsonSize',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [bytes],
      options: { message: maxJsonSizeMessage('$property', bytes), ...options },
      validator: { validate: (value: unknown) => fitsJsonSize(value, bytes) },
    });
}
