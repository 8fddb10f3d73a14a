import { registerDecorator, ValidationOptions } from 'class-validator';

/** The value, serialized as JSON, is at most `bytes` long (caps JSONB documents). */
export function MaxJsonSize(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxJsonSize',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [bytes],
      options: { message: `$property must be at most ${bytes} bytes as JSON`, ...options },
      validator: {
        validate: (value: unknown) => value === undefined || Buffer.byteLength(JSON.stringify(value)) <= bytes,
      },
    });
}
